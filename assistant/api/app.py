"""The HTTP API: a FastAPI app with the OpenAI-compatible chat and the REST routes, to which the
web app (gradio) is then mounted, so both are served by one process on one port."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.routing import Match

from assistant.api.calc import calc_router
from assistant.api.chat import chat_router
from assistant.api.chat.chat_service import ChatService
from assistant.api.docs_page import docs_html
from assistant.api.documents import documents_router
from assistant.api.errors import ApiError, install_handlers
from assistant.api.guard import ApiGuard
from assistant.api.search import search_router
from assistant.api.search.search_service import SearchService
from assistant.api.units import units_router
from assistant.api.work import Workers
from assistant.settings import Settings

DESCRIPTION = ("政策助手的 HTTP 接口：OpenAI 兼容的对话（/v1/chat/completions、/v1/models），以及检索、成员单位职责、"
               "指标测算和文件列表。本机地址（127.0.0.1）默认不需要密钥；配置了 ASSISTANT_API_KEYS 或监听其他地址时，"
               "每个请求都须带 Authorization: Bearer <密钥>。错误一律为 {\"error\": {\"code\", \"message\"}}，message 为中文。")


def create_api(assistant, answerer=None, settings: Settings | None = None) -> FastAPI:
    """The API over a loaded `Assistant` (and the generative answerer, when configured)."""
    settings = settings or assistant.settings
    app = FastAPI(title="政策助手 API", description=DESCRIPTION, version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json")
    app.state.assistant, app.state.settings, app.state.workers = assistant, settings, Workers()
    app.state.chat = ChatService(assistant, answerer)
    app.state.search = SearchService(assistant)
    for feature in (chat_router, search_router, units_router, calc_router, documents_router):
        app.include_router(feature.router)
    install_handlers(app)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_html(app.openapi()))

    # Unknown API paths and methods answer here, in Chinese, instead of falling through to the web app.
    @app.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def unknown(request: Request, rest: str):
        if any(route.matches(request.scope)[0] == Match.PARTIAL for route in app.routes):  # path known, method not
            raise ApiError(405, "method_not_allowed", f"{request.url.path} 不支持 {request.method} 请求")
        raise ApiError(404, "not_found", f"没有接口 {request.url.path}：接口列表见 /docs")

    app.add_middleware(ApiGuard, settings=settings)
    return app

