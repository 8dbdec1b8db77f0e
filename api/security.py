"""Abuse limits and security headers, as ASGI middleware around the whole app.

- `SecurityHeadersMiddleware`: a strict Content-Security-Policy (no inline scripts or styles;
  pages load only their own /static files), frame-ancestors 'none', nosniff, no referrer.
- `ConcurrencyCapMiddleware`: past `limits.max_concurrent_requests` in progress in this worker,
  answer 503 with Retry-After at once rather than queue until the client times out.
- `InputGuardMiddleware`: JSON and form bodies over `limits.max_body_kb` get 413; invisible
  Unicode (tag characters U+E0000–U+E007F, zero-width, bidi overrides) is stripped from every
  query parameter, JSON string and form field before any route sees it; chat messages and CV
  reviews are counted against the rate limits (assistant/ratelimit.py) and answered 429 with
  Retry-After past them. Multipart uploads keep their bytes: CV review reports hidden text.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.ratelimit import RateLimited
from assistant.text import strip_invisible

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load their scripts from a CDN with an inline bootstrap.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com https://cdn.redoc.ly; worker-src blob:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
EXEMPT_FROM_CAP = ("/healthz", "/readyz")
CHAT_PATHS = frozenset({"/api/chat", "/api/chat/stream", "/api/contact", "/"})
CV_PATHS = frozenset({"/api/cv/review"})


def _json_error(status: int, code: str, message: str, **detail: object) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "detail": detail}}).encode()


async def _send_json(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]]):
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})


async def _send_text(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]]):
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers + extra})
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(DOCS_PATHS) else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                wanted = [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if self.hsts:
                    wanted.append((b"strict-transport-security", b"max-age=31536000"))
                headers += [(k, v) for k, v in wanted if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ConcurrencyCapMiddleware:
    """Per worker process: the cap is about this process's threads and memory."""

    def __init__(self, app: ASGIApp, *, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or self.max_in_flight <= 0
            or scope.get("path", "").startswith(EXEMPT_FROM_CAP)
        ):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            self.refused += 1
            body = _json_error(503, "over_capacity", "Harbour is busy. Please try again shortly.")
            await _send_json(send, 503, body, [(b"retry-after", b"2")])
            return
        self.in_flight += 1  # one event loop per process: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def _clean(value):
    if isinstance(value, str):
        return strip_invisible(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _clean_query(raw: bytes) -> bytes:
    if not raw:
        return raw
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    cleaned = [(strip_invisible(k), strip_invisible(v)) for k, v in pairs]
    return urlencode(cleaned).encode() if cleaned != pairs else raw


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        scope["query_string"] = _clean_query(scope.get("query_string", b""))
        headers = Headers(scope=scope)
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        method = scope.get("method", "GET")
        path = scope.get("path", "")
        fields: dict = {}
        if method in ("POST", "PUT", "PATCH", "DELETE") and (
            ctype == "application/x-www-form-urlencoded" or ctype.endswith("json")
        ):
            body = b""
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > self.max_body_bytes:
                    kb = self.max_body_bytes // 1024
                    err = _json_error(413, "body_too_large", f"The request is over {kb} KB.")
                    await _send_json(send, 413, err, [])
                    return
            body, fields = self._clean_body(body, ctype)
            receive = _replay(body, receive)
            scope["headers"] = [
                (k, v) for k, v in scope["headers"] if k.lower() != b"content-length"
            ] + [(b"content-length", str(len(body)).encode())]
        if method == "POST" and (path in CHAT_PATHS or path in CV_PATHS):
            refused = await self._count(scope, path, fields)
            if refused is not None:
                retry = [(b"retry-after", str(refused.detail["retry_after_s"]).encode())]
                if path.startswith("/api/"):
                    err = _json_error(429, refused.code, refused.message, **refused.detail)
                    await _send_json(send, 429, err, retry)
                else:  # the no-JavaScript chat form
                    await _send_text(send, 429, refused.message, retry)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _clean_body(body: bytes, ctype: str) -> tuple[bytes, dict]:
        if ctype == "application/x-www-form-urlencoded":
            pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
            cleaned = [(strip_invisible(k), strip_invisible(v)) for k, v in pairs]
            out = urlencode(cleaned).encode() if cleaned != pairs else body
            return out, dict(cleaned)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return body, {}  # the route's validation answers 422
        cleaned = _clean(data)
        out = json.dumps(cleaned, ensure_ascii=False).encode() if cleaned != data else body
        return out, cleaned if isinstance(cleaned, dict) else {}

    async def _count(self, scope: Scope, path: str, fields: dict) -> RateLimited | None:
        app = scope.get("app")
        components = getattr(getattr(app, "state", None), "components", None)
        limiter = getattr(components, "limiter", None)
        if limiter is None:  # still starting (the route answers 503) or limits not assembled
            return None
        client = scope.get("client")
        address = client[0] if client else "unknown"
        session = fields.get("session_id")
        session = session if isinstance(session, str) else None
        try:
            if path in CV_PATHS:
                await anyio.to_thread.run_sync(limiter.cv_review, address)
            else:
                await anyio.to_thread.run_sync(limiter.message, session, address)
        except RateLimited as exc:
            log.info("rate limited: %s %s", path, exc.detail.get("scope"))
            return exc
        return None


def _replay(body: bytes, original: Receive) -> Receive:
    """The cleaned body once, then the client's own messages (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
