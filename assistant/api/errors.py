"""Every API error is `{"error": {"code", "message"}}` with a Chinese message, whatever went wrong:
our own refusals, FastAPI's request validation, unknown paths and methods, and unexpected failures
(logged with their traceback, never sent)."""
from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    code: str = Field(description="错误代码（英文，便于程序判断），如 invalid_request、unauthorized、rate_limited")
    message: str = Field(description="中文说明，可直接显示给用户")


class ErrorResponse(BaseModel):
    error: ErrorDetail = Field(description="错误信息")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


# Shown in the OpenAPI page for every route (each route adds its own).
COMMON_RESPONSES = {
    401: {"model": ErrorResponse, "description": "缺少或错误的 API 密钥"},
    413: {"model": ErrorResponse, "description": "请求体超过大小上限"},
    422: {"model": ErrorResponse, "description": "请求参数有误（例如应为字符串的字段不是字符串）"},
    429: {"model": ErrorResponse, "description": "超过每分钟请求次数上限"},
}

# pydantic error types → what they mean, in Chinese (the rest fall back to a generic sentence).
_TYPES = {
    "missing": "缺少必填字段",
    "string_type": "应为字符串",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为数组",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "too_short": "元素太少",
    "too_long": "元素太多",
    "greater_than": "太小",
    "greater_than_equal": "太小",
    "less_than": "太大",
    "less_than_equal": "太大",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "extra_forbidden": "不是可接受的字段（请检查拼写）",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BOUND_KEYS = ("min_length", "max_length", "gt", "ge", "lt", "le", "expected")


def field_path(loc: tuple) -> str:
    """('body', 'messages', 0, 'content') → messages[0].content."""
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(error: dict) -> str:
    """One pydantic error as a Chinese phrase: where, what is wrong, and the bound when there is one."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and _CJK.search(str(ctx.get("error", ""))):
        what = str(ctx["error"])  # our own validators raise Chinese ValueErrors
    elif "UploadFile" in str(ctx.get("error", "")):
        what = "应为上传的文件（multipart/form-data）"
    else:
        what = _TYPES.get(kind, "取值无效")
        bound = next((f"{k}={ctx[k]}" for k in _BOUND_KEYS if k in ctx), "")
        if bound:
            what += f"（{_bound_text(bound)}）"
    where = field_path(tuple(error.get("loc", ())))
    if kind.startswith("json") or not where:  # the body as a whole (json_invalid's loc is a character position)
        return f"请求体{what}"
    return f"{where} {what}"


def _bound_text(bound: str) -> str:
    key, value = bound.split("=", 1)
    return {"min_length": "至少 {}", "max_length": "至多 {}", "gt": "应大于 {}", "ge": "应不小于 {}",
            "lt": "应小于 {}", "le": "应不大于 {}", "expected": "可选值：{}"}[key].format(value)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        # A field of a union type reports once per alternative; one sentence per field is enough.
        phrases = list(dict.fromkeys(describe(e) for e in _one_per_field(errors)))
        return error_response(422, "invalid_request", "请求参数有误：" + "；".join(phrases[:5]))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if isinstance(exc.detail, dict) and "code" in exc.detail:  # ours, e.g. a body found too large while read
            return error_response(exc.status_code, exc.detail["code"], exc.detail["message"])
        message = {404: "没有这个接口地址，请查看 /docs 中的接口列表", 405: "此接口不支持该请求方法"}.get(
            exc.status_code, "请求无法处理")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
        return error_response(exc.status_code, code, message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("API %s %s failed", request.method, request.url.path)
        return error_response(500, "internal_error", "服务器处理请求时出错，请稍后再试")


def _one_per_field(errors: list[dict]) -> list[dict]:
    seen, out = set(), []
    for error in errors:
        loc = tuple(p for p in error.get("loc", ()) if not _is_union_tag(p))
        if loc not in seen:
            seen.add(loc)
            out.append({**error, "loc": loc})
    return out


def _is_union_tag(part) -> bool:
    """pydantic names the alternative it tried ('str', 'list[TextPart]', 'function-after[...]')."""
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "float", "list", "dict"))
