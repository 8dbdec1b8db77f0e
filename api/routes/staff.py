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
    LeadDep,
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
from api.deps import CaseId
from assistant.errors import InvalidInput
from assistant.safeguarding.cases import COUNCIL_NAMES, REFERRAL_TARGETS, InvalidTransition
from assistant.staff import LEAD
from assistant.storage.models import utcnow

WEB = Path(__file__).resolve().parents[2] / "web"
templates = Jinja2Templates(directory=str(WEB / "templates"))
router = APIRouter(prefix="/staff", include_in_schema=False)
REFRESH_S = 10  # the queue page refreshes itself this often (web/static/staff.js)


def _when(value) -> str:
    return f"{value:%d %b %Y %H:%M} UTC" if value else ""


def _relative(target, now) -> str:
    """ "in 45 min" or "1 h 5 min overdue"."""
    seconds = int((target - now).total_seconds())
    minutes = abs(seconds) // 60
    text = f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
    if minutes >= 60 * 48:
        text = f"{minutes // (60 * 24)} days"
    return f"in {text}" if seconds >= 0 else f"{text} overdue"


templates.env.filters["when"] = _when
templates.env.filters["relative"] = _relative

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


# --- the case queue -------------------------------------------------------------------------

STATUS_FILTERS = ("open", "new", "acknowledged", "referred", "closed", "all")


def _cases(request: Request):
    components = request.app.state.components
    return components.cases


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    user: LeadDep,
    status: str = "open",
    severity: str = "",
    council: str = "",
    partial: bool = False,
):
    status = status if status in STATUS_FILTERS else "open"
    severity = severity if severity in ("urgent", "high") else ""
    visible = sorted(COUNCIL_NAMES) if user.regional else list(user.councils)
    council = council if council in visible else ""
    rows = _cases(request).list(
        user, None if status == "all" else status, severity or None, council or None
    )
    context = dict(
        cases=rows,
        status=status,
        severity=severity,
        council=council,
        statuses=STATUS_FILTERS,
        councils=[(slug, COUNCIL_NAMES.get(slug, slug)) for slug in visible],
        now=utcnow(),
        refresh_s=REFRESH_S,
    )
    return render(request, "_case_list.html" if partial else "cases.html", **context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: CaseId, user: LeadDep, error: str | None = None):
    return _case(request, user, case_id, error)


def _case(request: Request, user, case_id: int, error: str | None = None, status: int = 200):
    detail = _cases(request).get(user, case_id)
    return render(
        request,
        "case.html",
        status_code=status,
        detail=detail,
        c=detail.case,
        referral_targets=REFERRAL_TARGETS,
        now=utcnow(),
        error=error,
    )


def _act(request: Request, user, case_id: int, action) -> Response:
    try:
        action()
    except (InvalidTransition, InvalidInput) as exc:
        return _case(request, user, case_id, exc.message, status=exc.status)
    return secured(RedirectResponse(f"/staff/cases/{case_id}", status_code=303))


@router.post("/cases/{case_id}/acknowledge")
def acknowledge_form(
    request: Request, case_id: CaseId, user: LeadDep, note: Annotated[str, Form()] = ""
):
    return _act(request, user, case_id, lambda: _cases(request).acknowledge(user, case_id, note))


@router.post("/cases/{case_id}/refer")
def refer_form(
    request: Request,
    case_id: CaseId,
    user: LeadDep,
    to: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
):
    return _act(request, user, case_id, lambda: _cases(request).refer(user, case_id, to, note))


@router.post("/cases/{case_id}/close")
def close_form(
    request: Request, case_id: CaseId, user: LeadDep, outcome: Annotated[str, Form()] = ""
):
    return _act(request, user, case_id, lambda: _cases(request).close(user, case_id, outcome))


@router.post("/cases/{case_id}/notes")
def note_form(request: Request, case_id: CaseId, user: LeadDep, text: Annotated[str, Form()] = ""):
    return _act(request, user, case_id, lambda: _cases(request).add_note(user, case_id, text))
