"""Typed dependencies for routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from assistant.container import Components
from assistant.errors import NotReady
from assistant.pipeline import Assistant


def get_components(request: Request) -> Components:
    components = getattr(request.app.state, "components", None)
    if components is None:
        raise NotReady("Harbour is starting up; please try again in a few seconds.")
    return components


def get_assistant(components: Annotated[Components, Depends(get_components)]) -> Assistant:
    return components.assistant


ComponentsDep = Annotated[Components, Depends(get_components)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]

# Case ids are database integers: larger ones are not ids (and overflow SQLite's INTEGER).
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
