"""Server-rendered staff pages: sign-in, and the safeguarding case queue.

Forms post with the session's CSRF token; `web/static/staff.js` only refreshes the queue.
Every staff response is `no-store` with a strict Content-Security-Policy (no inline scripts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfFailed,
    NotAuthenticated,
    StaffDep,
    TooManyAttempts,
    check_login_csrf,
    clear_session_cookie,
    cookie_secure,
    csrf_token,
    decode_token,
    new_login_csrf,
    safe_next,
    set_session_cookie,
    sign_in,
)
from assistant.staff import LEAD

WEB = Path(__file__).resolve().parents[2] / "web"
templates = Jinja2Templates(directory=str(WEB / "templates"))
router = APIRouter(prefix="/staff", include_in_schema=False)

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def render(request: Request, name: str, status_code: int = 200, **context) -> Response:
    context.setdefault("user", getattr(request.state, "staff_user", None))
    context.setdefault("csrf", csrf_token(request))
    return secured(
        templates.TemplateResponse(request, f"staff/{name}", context, status_code=status_code)
    )


def render_forbidden(request: Request, message: str) -> Response:
    return render(request, "forbidden.html", status_code=403, message=message)


def _landing(role: str) -> str:
    return "/staff/cases" if role == LEAD else "/staff"


# --- sign in and out ------------------------------------------------------------------------


def _login_page(request: Request, next_: str, error: str | None = None, status: int = 200):
    token = new_login_csrf()
    response = render(
        request,
        "login.html",
        status_code=status,
        user=None,
        login_csrf=token,
        next=safe_next(next_, ""),
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        secure=cookie_secure(request.app.state.settings),
        samesite="strict",
        path="/staff/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None):
    settings = request.app.state.settings
    cookie = request.cookies.get(SESSION_COOKIE)
    components = request.app.state.components
    if cookie and components is not None:
        claims = decode_token(settings, cookie, "session")
        user = components.staff.get(int(claims["sub"])) if claims else None
        if user is not None:
            return secured(RedirectResponse(safe_next(next, _landing(user.role)), 303))
    return _login_page(request, next or "")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
):
    try:
        check_login_csrf(request, csrf_token)
        user = sign_in(request, username, password)
    except CsrfFailed as exc:
        return _login_page(request, next, exc.message, 403)
    except NotAuthenticated as exc:
        return _login_page(request, next, exc.message, 401)
    except TooManyAttempts as exc:
        response = _login_page(request, next, exc.message, 429)
        response.headers["Retry-After"] = str(exc.detail.get("retry_after_s", 60))
        return response
    response = RedirectResponse(safe_next(next, _landing(user.role)), status_code=303)
    set_session_cookie(response, request.app.state.settings, user)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff/login")
    return secured(response)


@router.post("/logout")
def logout(request: Request, user: StaffDep):
    response = RedirectResponse("/staff/login", status_code=303)
    clear_session_cookie(response, request.app.state.settings)
    return secured(response)


@router.get("", response_class=HTMLResponse)
def home(request: Request, user: StaffDep):
    if user.role == LEAD:
        return secured(RedirectResponse("/staff/cases", status_code=303))
    return render(request, "home.html")
