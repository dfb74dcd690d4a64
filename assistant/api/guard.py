"""Who may call the API and how much: API keys, a per-key rate limit and request-size limits.

A pure ASGI middleware in front of the whole server that acts only on API paths (/v1/…, /api/…,
/docs, /openapi.json); the gradio app behind it has its own login. Keys are needed when any are
configured, and always when the server listens on an address other machines can reach.
"""
from __future__ import annotations

import hmac
import ipaddress
import math
import threading
import time
from collections import deque

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from assistant.api.errors import error_response
from assistant.settings import Settings

API_PREFIXES = ("/v1/", "/api/")
API_PATHS = {"/v1", "/api", "/docs", "/openapi.json"}
TABLE_PATH = "/api/calc/table"
MULTIPART_SLACK = 64 * 1024  # form boundaries and headers around an uploaded file
WINDOW_S = 60.0
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Only addresses that cannot be reached from another machine (names are not resolved)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_api_path(path: str) -> bool:
    return path in API_PATHS or path.startswith(API_PREFIXES)


def keys_required(settings: Settings) -> bool:
    return bool(settings.api_keys) or not is_loopback(settings.host)


def body_limit(path: str, settings: Settings) -> int:
    """Bytes a request body may have: a table upload gets the web app's upload limit."""
    if path.rstrip("/") == TABLE_PATH:
        return settings.max_upload_mb * 1024 * 1024 + MULTIPART_SLACK
    return settings.max_request_kb * 1024


def limit_text(path: str, settings: Settings, size: int | None = None) -> str:
    """`size`: the declared body size; for a table upload the message is the web app's (ui.files.take_upload)."""
    if path.rstrip("/") == TABLE_PATH:
        shown = f"{size / 1024 / 1024:.1f} MB" if size else f"超过 {settings.max_upload_mb} MB"
        return f"文件过大（{shown}），上限为 {settings.max_upload_mb} MB。"
    return f"请求体过大：上限为 {settings.max_request_kb} KB"


class BodyTooLarge(HTTPException):
    """Raised while the body is read, so FastAPI's body parsing passes it on as it is."""

    def __init__(self, message: str):
        super().__init__(413, {"code": "payload_too_large", "message": message})


class RateLimiter:
    """At most `per_minute` requests per identity in any 60 seconds (a sliding window)."""

    def __init__(self, per_minute: int, window_s: float = WINDOW_S, clock=time.monotonic):
        self.per_minute, self.window_s, self.clock = per_minute, window_s, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, identity: str) -> int:
        """0 (and the request is counted) when allowed, else whole seconds until it would be."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(identity, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, math.ceil(hits[0] + self.window_s - now))
            hits.append(now)
            return 0

    def clear(self, identity: str) -> None:
        with self._lock:
            self._hits.pop(identity, None)


class ApiGuard:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings
        self.keys = tuple(k.encode("utf-8") for k in settings.api_keys)
        self.required = keys_required(settings)
        self.limiter = RateLimiter(settings.api_rate_per_minute)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        identity, refusal = self._identity(headers, scope)
        if refusal:
            await error_response(401, "unauthorized", refusal, {"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        wait = self.limiter.retry_after(identity)
        if wait:
            message = (f"请求过于频繁：每分钟最多 {self.settings.api_rate_per_minute} 次"
                       f"（ASSISTANT_API_RATE），请 {wait} 秒后再试")
            await error_response(429, "rate_limited", message, {"Retry-After": str(wait)})(scope, receive, send)
            return
        path, limit = scope["path"], body_limit(scope["path"], self.settings)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            message = limit_text(path, self.settings, int(declared))
            await error_response(413, "payload_too_large", message)(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit, limit_text(path, self.settings)), send)

    def _identity(self, headers: Headers, scope) -> tuple[str, str]:
        """(who is asking, for the rate limit; why they may not, or "")."""
        if not self.required:
            client = scope.get("client") or ("local", 0)
            return f"addr:{client[0]}", ""
        if not self.keys:
            return "", "此服务没有配置 API 密钥（ASSISTANT_API_KEYS），监听非本机地址时 API 不对外开放"
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return "", "缺少 API 密钥：请在请求头中加入 Authorization: Bearer <密钥>"
        given_bytes = given.strip().encode("utf-8")
        # compare with every key, so the time taken does not tell which one was close
        matches = [hmac.compare_digest(given_bytes, key) for key in self.keys]
        if not any(matches):
            return "", "API 密钥错误"
        return f"key:{matches.index(True)}", ""


def _counting(receive, limit: int, message: str):
    """`receive` that stops a body without a Content-Length once it passes `limit` bytes."""
    seen = 0

    async def wrapped():
        nonlocal seen
        event = await receive()
        if event["type"] == "http.request":
            seen += len(event.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(message)
        return event

    return wrapped
