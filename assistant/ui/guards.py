"""What gradio leaves open, closed in front of it (issue 16, items 9 and 17): a limit on login
attempts, a login for every gradio API route when the app has one (gradio answers /reset and
/cancel without it), and an upload folder that is cleaned on a schedule and has a size cap.

One pure ASGI middleware on the server the web app is mounted on, plus a periodic sweep.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from pathlib import Path

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.routing import Mount

from assistant.api.errors import error_response
from assistant.api.guard import RateLimiter
from assistant.settings import Settings

log = logging.getLogger(__name__)

LOGIN_PATH = "/login"
LOGIN_ATTEMPTS = 5  # per client address in any LOGIN_WINDOW_S; a successful login clears the count
LOGIN_WINDOW_S = 60.0
GRADIO_API = "/gradio_api/"
UPLOAD_PATH = "/gradio_api/upload"
# The web app reads an upload and deletes it at once; what is left is an orphan (POSTed, never used).
UPLOAD_KEEP_S = 600
SWEEP_EVERY_S = 60
UPLOADS_CAPPED_AT = 20  # the folder holds at most this many maximum-size uploads


class UploadJanitor:
    """Deletes uploads gradio recorded (`blocks.upload_file_set`) once they are `keep_s` old, and the
    oldest first while they add up to more than `cap_bytes`. Files gradio made for downloads are
    not in that set and are never touched. Age is counted from when the janitor first saw a file:
    gradio records a path just before it moves the file there."""

    def __init__(self, tracked: set[str], keep_s: float, cap_bytes: int, clock=time.time):
        self.tracked, self.keep_s, self.cap_bytes, self.clock = tracked, keep_s, cap_bytes, clock
        self.seen: dict[str, float] = {}

    def sweep(self) -> int:
        """Bytes the remaining uploads hold."""
        now = self.clock()
        for path in list(self.tracked):
            self.seen.setdefault(path, now)
        sizes = {}
        for path, first in sorted(self.seen.items(), key=lambda item: item[1]):
            if now - first >= self.keep_s:
                self._delete(path)
            else:
                sizes[path] = _size(path)
        total = sum(sizes.values())
        for path in list(sizes):  # oldest first
            if total <= self.cap_bytes:
                break
            total -= sizes[path]
            self._delete(path)
        return total

    def _delete(self, path: str) -> None:
        target = Path(path)
        try:
            target.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # gradio's per-upload folder, once empty
                target.parent.rmdir()
        except OSError as exc:
            log.warning("could not delete upload %s: %s", path, exc)
        self.tracked.discard(path)
        self.seen.pop(path, None)


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


class GradioGuard:
    def __init__(self, app, settings: Settings, janitor: UploadJanitor, logged_in, checks: dict):
        self.app = app
        self.auth = bool(settings.auth_user and settings.auth_password)
        self.janitor = janitor
        self.logged_in = logged_in  # (cookie header) -> bool
        self.logins = RateLimiter(LOGIN_ATTEMPTS, LOGIN_WINDOW_S)
        self.checks = checks  # public gradio endpoint path -> (data list) -> data to run (ValueError: refused)
        self.max_body = settings.max_request_kb * 1024

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, headers = scope["path"], Headers(scope=scope)
        if path.rstrip("/") == LOGIN_PATH and scope["method"] == "POST" and self.auth:
            await self._login(scope, receive, send)
            return
        if self.auth and path.startswith(GRADIO_API) and not self.logged_in(headers.get("cookie", "")):
            await error_response(401, "unauthorized", "请先登录政策助手")(scope, receive, send)
            return
        if path.rstrip("/") == UPLOAD_PATH and scope["method"] == "POST":
            declared = headers.get("content-length", "")
            incoming = int(declared) if declared.isdigit() else 0
            if self.janitor.sweep() + incoming > self.janitor.cap_bytes:
                cap_mb = self.janitor.cap_bytes / 1024 / 1024
                message = f"上传文件夹已满（上限 {cap_mb:.0f} MB），请稍后再试"
                await error_response(507, "uploads_full", message)(scope, receive, send)
                return
        check = self.checks.get(path.rstrip("/")) if scope["method"] == "POST" else None
        if check:
            await self._checked(check, scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _checked(self, check, scope, receive, send):
        """gradio checks neither the type nor the number of an endpoint's inputs before running it (a
        traceback, and `"error": null` for the caller): the body is read and checked here first."""
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if len(body) > self.max_body:
                message = f"请求体过大：上限为 {self.max_body // 1024} KB"
                await error_response(413, "payload_too_large", message)(scope, receive, send)
                return
            if not event.get("more_body"):
                break
        try:
            body = checked_body(body, check)
        except ValueError as exc:
            await error_response(422, "invalid_request", str(exc))(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _login(self, scope, receive, send):
        client = (scope.get("client") or ("local", 0))[0]
        wait = self.logins.retry_after(client)
        if wait:
            message = f"登录尝试过于频繁：每 {LOGIN_WINDOW_S:.0f} 秒最多 {LOGIN_ATTEMPTS} 次，请 {wait} 秒后再试"
            await error_response(429, "rate_limited", message, {"Retry-After": str(wait)})(scope, receive, send)
            return
        status = 0

        async def watch(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 200:
            self.logins.clear(client)


def checked_body(body: bytes, check) -> bytes:
    """A gradio call body {"data": [...]} with `check` applied to its data (ValueError: refused)."""
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise ValueError('请求体应为 JSON 对象，形如 {"data": [问题, 此前的问题]}')
    if not isinstance(payload.get("data"), list):
        raise ValueError('字段 data 应为数组，形如 {"data": [问题, 此前的问题]}')
    return json.dumps({**payload, "data": check(payload["data"])}, ensure_ascii=False).encode("utf-8")


def gradio_login_check(server):
    """(cookie header) -> whether it carries a live gradio session. gradio keeps sessions in its
    App's `tokens`, keyed by the access-token-<cookie_id> cookie (see gradio.routes.get_current_user)."""
    mounted = next(r.app for r in server.routes if isinstance(r, Mount))

    def logged_in(cookie_header: str) -> bool:
        cookies = cookie_parser(cookie_header)  # the parser gradio's own requests use
        names = (f"access-token-{mounted.cookie_id}", f"access-token-unsecure-{mounted.cookie_id}")
        return any(cookies.get(name) in mounted.tokens for name in names)

    return logged_in


def install(server, blocks, settings: Settings, checks: dict) -> UploadJanitor:
    """Put the guard in front of `server` (on which `blocks` is mounted) and sweep uploads periodically.
    `checks`: path of a public gradio endpoint → its input check (see GradioGuard)."""
    cap = UPLOADS_CAPPED_AT * settings.max_upload_mb * 1024 * 1024
    janitor = UploadJanitor(blocks.upload_file_set, UPLOAD_KEEP_S, cap)
    server.add_middleware(GradioGuard, settings=settings, janitor=janitor, logged_in=gradio_login_check(server),
                          checks=checks)
    previous = server.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(_sweep_forever(janitor))
        try:
            async with previous(app) as state:
                yield state
        finally:
            task.cancel()

    server.router.lifespan_context = lifespan
    return janitor


async def _sweep_forever(janitor: UploadJanitor) -> None:
    while True:
        await asyncio.sleep(SWEEP_EVERY_S)
        try:
            janitor.sweep()
        except Exception:  # a sweep that fails must not stop the next one
            log.exception("upload sweep failed")
