"""A worker deletes their own conversation: the API call, and the page's no-JavaScript form."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import ComponentsDep
from api.schemas import ErrorOut
from assistant.errors import HarbourError

router = APIRouter(prefix="/api", tags=["chat"])
pages = APIRouter(include_in_schema=False)


class SessionNotFound(HarbourError):
    code = "session_not_found"
    status = 404


def _erase(components, session_token: str) -> None:
    eraser = components.eraser
    if eraser is None or not session_token or eraser.delete_session(session_token) is None:
        raise SessionNotFound("There is no conversation for this session.")


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    responses={404: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
def delete_session(session_id: str, components: ComponentsDep) -> Response:
    """Delete this conversation. `session_id` is the session token `/api/chat` returned.

    Every message goes, except one that opened a safeguarding case: that stays with the case,
    for the safeguarding staff, and the token no longer reaches it.
    """
    _erase(components, session_id)
    return Response(status_code=204)


@pages.post("/forget", response_class=HTMLResponse)
def forget_form(
    request: Request,
    components: ComponentsDep,
    session_id: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "en",
):
    """No-JavaScript fallback for the chat page's delete button."""
    from api.routes.pages import _context, _ui_language, templates

    lang = _ui_language(request, lang)
    try:
        _erase(components, session_id)
        deleted, status = True, 200
    except SessionNotFound:
        deleted, status = False, 404
    return templates.TemplateResponse(
        request,
        "chat.html",
        _context(request, components, lang, turns=[], deleted=deleted),
        status_code=status,
    )


class _RedactSessionPaths(logging.Filter):
    """Access logs must not keep session tokens, which ride in the DELETE path."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2]
            if path.startswith("/api/sessions/"):
                record.args = (*args[:2], "/api/sessions/…", *args[3:])
        return True


def install_access_log_filter() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _RedactSessionPaths) for f in access.filters):
        access.addFilter(_RedactSessionPaths())
