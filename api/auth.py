"""Staff authentication and authorisation: deny by default.

Two ways in, both signed JWTs (HS256, `auth.secret_key`):
- `Authorization: Bearer <token>` from `POST /api/auth/token` (scripts and API clients);
- the `harbour_staff` session cookie set by `/staff/login` (the pages). It is HttpOnly,
  SameSite=Strict and Secure outside development/test. Unsafe requests that authenticate with the
  cookie must also carry the session's CSRF token (hidden `csrf_token` form field or an
  `X-CSRF-Token` header); the token is a claim inside the cookie, so another site cannot read it.

The user is looked up on every request, so disabling an account takes effect at once, and the
role comes from the database, not from the token. A route is protected with one of the
`Annotated` aliases below (`LeadDep`, `ProgrammeDep`, `AdminDep`, `StaffDep`) or
`Depends(require_roles(...))`; `tests/safeguarding/test_route_access.py` fails for any route
that is neither on its public allowlist nor guarded by `require_roles`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import quote

import jwt
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.deps import ComponentsDep
from api.errors import error_response
from assistant.errors import HarbourError
from assistant.settings import Settings
from assistant.staff import ADMIN, LEAD, PROGRAMME, ROLES, StaffUser

__all__ = [
    "ADMIN",
    "LEAD",
    "PROGRAMME",
    "AdminDep",
    "LeadDep",
    "ProgrammeDep",
    "StaffDep",
    "StaffUser",
    "require_roles",
]

SESSION_COOKIE = "harbour_staff"
LOGIN_CSRF_COOKIE = "harbour_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_AUDIENCE = "harbour-staff"
TokenKind = Literal["access", "session"]


class NotAuthenticated(HarbourError):
    code = "not_authenticated"
    status = 401


class Forbidden(HarbourError):
    code = "forbidden"
    status = 403


class CsrfFailed(Forbidden):
    code = "csrf_failed"


class TooManyAttempts(HarbourError):
    code = "too_many_attempts"
    status = 429


# --- tokens ---------------------------------------------------------------------------------


def _signing_key(settings: Settings) -> bytes:
    """A 32-byte key for staff tokens only, derived from `auth.secret_key`."""
    secret = settings.auth.secret_key.get_secret_value().encode()
    return hashlib.sha256(b"harbour/staff-jwt\0" + secret).digest()


def issue_token(settings: Settings, user: StaffUser, kind: TokenKind) -> tuple[str, str | None]:
    """A signed token for `user`, and (for a session) the CSRF token bound to it."""
    minutes = (
        settings.auth.access_token_minutes if kind == "access" else settings.auth.session_minutes
    )
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": str(user.id),
        "name": user.username,
        "typ": kind,
        "aud": _AUDIENCE,
        "iat": now,
        "exp": now + minutes * 60,
    }
    csrf = None
    if kind == "session":
        csrf = secrets.token_urlsafe(32)
        claims["csrf"] = csrf
    token = jwt.encode(claims, _signing_key(settings), algorithm="HS256")
    return token, csrf


def decode_token(settings: Settings, token: str, kind: TokenKind) -> dict | None:
    try:
        claims = jwt.decode(
            token,
            _signing_key(settings),
            algorithms=["HS256"],
            audience=_AUDIENCE,
            options={"require": ["sub", "exp", "typ"]},
        )
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == kind else None


def cookie_secure(settings: Settings) -> bool:
    if settings.auth.cookie_secure is not None:
        return settings.auth.cookie_secure
    return settings.environment == "production"


def set_session_cookie(response: Response, settings: Settings, user: StaffUser) -> None:
    token, _ = issue_token(settings, user, "session")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.auth.session_minutes * 60,
        httponly=True,
        secure=cookie_secure(settings),
        samesite="strict",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, secure=cookie_secure(settings), samesite="strict"
    )


# --- the dependency -------------------------------------------------------------------------


async def _authenticate(request: Request, components) -> StaffUser:
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() == "bearer" and credential:
        claims = decode_token(settings, credential.strip(), "access")
        via = "bearer"
    elif request.cookies.get(SESSION_COOKIE):
        claims = decode_token(settings, request.cookies[SESSION_COOKIE], "session")
        via = "cookie"
    else:
        raise NotAuthenticated("Sign in to continue.")
    if claims is None:
        raise NotAuthenticated("Your sign-in has expired or is not valid. Sign in again.")
    try:
        user = components.staff.get(int(claims["sub"]))
    except (TypeError, ValueError):
        user = None
    if user is None:
        raise NotAuthenticated("This account is not active. Sign in again.")
    if via == "cookie":
        request.state.staff_csrf = claims.get("csrf") or ""
        if request.method not in SAFE_METHODS:
            await _check_csrf(request, request.state.staff_csrf)
    request.state.staff_user = user
    return user


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    ctype = request.headers.get("content-type", "")
    if not sent and (
        ctype.startswith("application/x-www-form-urlencoded")
        or ctype.startswith("multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed("The form has expired. Reload the page and try again.")


def require_roles(*roles: str) -> Callable:
    """A dependency that returns the signed-in `StaffUser` if their role is one of `roles`.

    401 without valid credentials, 403 for another role (or a missing CSRF token).
    """
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"require_roles needs roles from {ROLES}, got {roles}")
    allowed = frozenset(roles)

    async def dependency(request: Request, components: ComponentsDep) -> StaffUser:
        user = await _authenticate(request, components)
        if user.role not in allowed:
            raise Forbidden("Your role does not give access to this.")
        return user

    dependency.harbour_roles = allowed  # type: ignore[attr-defined]  # read by the access test
    return dependency


LeadDep = Annotated[StaffUser, Depends(require_roles(LEAD))]
ProgrammeDep = Annotated[StaffUser, Depends(require_roles(PROGRAMME, ADMIN))]
AdminDep = Annotated[StaffUser, Depends(require_roles(ADMIN))]
StaffDep = Annotated[StaffUser, Depends(require_roles(*ROLES))]


def csrf_token(request: Request) -> str:
    """The CSRF token for forms on a page rendered for a cookie-signed-in user."""
    return getattr(request.state, "staff_csrf", "")


# --- login helpers --------------------------------------------------------------------------


class LoginThrottle:
    """At most `max_failures` failed sign-ins per username and per client address per window.

    In memory, per process: with several workers each counts separately.
    """

    def __init__(self, max_failures: int, window_s: float, clock=time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        q = self._failures[key]
        cutoff = self._clock() - self.window_s
        while q and q[0] < cutoff:
            q.popleft()
        return q

    def check(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                q = self._recent(key)
                if len(q) >= self.max_failures:
                    retry = int(q[0] + self.window_s - self._clock()) + 1
                    raise TooManyAttempts(
                        "Too many failed sign-ins. Try again later.", retry_after_s=retry
                    )

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self._clock())

    def succeeded(self, username_key: str) -> None:
        with self._lock:
            self._failures.pop(username_key, None)


def login_throttle(request: Request) -> LoginThrottle:
    app = request.app
    throttle = getattr(app.state, "login_throttle", None)
    if throttle is None:
        s: Settings = app.state.settings
        throttle = app.state.login_throttle = LoginThrottle(
            s.auth.login_max_failures, s.auth.login_window_s
        )
    return throttle


def throttle_keys(request: Request, username: str) -> tuple[str, str]:
    client = request.client.host if request.client else "unknown"
    return f"user:{username.casefold()}", f"addr:{client}"


def sign_in(request: Request, username: str, password: str) -> StaffUser:
    """Check a username and password with throttling; raises NotAuthenticated/TooManyAttempts."""
    components = request.app.state.components
    if components is None:
        from assistant.errors import NotReady

        raise NotReady("Harbour is starting up; please try again in a few seconds.")
    throttle = login_throttle(request)
    keys = throttle_keys(request, username)
    throttle.check(*keys)
    user = components.staff.authenticate(username, password)
    if user is None:
        throttle.failed(*keys)
        raise NotAuthenticated("The username or password is not right.")
    throttle.succeeded(keys[0])
    return user


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def check_login_csrf(request: Request, sent: str) -> None:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfFailed("The sign-in form has expired. Reload the page and try again.")


def safe_next(path: str | None, default: str = "/staff/cases") -> str:
    """Only same-site absolute paths: never an open redirect."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return default


# --- error responses ------------------------------------------------------------------------


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def install_auth_handlers(app: FastAPI) -> None:
    """401 → JSON with WWW-Authenticate for the API, a redirect to /staff/login for pages."""

    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if _wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/staff/login?next={quote(target)}", status_code=303)
        response: JSONResponse = error_response(exc.status, exc.code, exc.message)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        if _wants_html(request):
            from api.routes.staff import render_forbidden

            return render_forbidden(request, exc.message)
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(TooManyAttempts)
    async def _too_many(request: Request, exc: TooManyAttempts) -> Response:
        retry = str(exc.detail.get("retry_after_s", 60))
        if _wants_html(request):
            response: Response = HTMLResponse(exc.message, status_code=429)
        else:
            response = error_response(exc.status, exc.code, exc.message, **exc.detail)
        response.headers["Retry-After"] = retry
        return response
