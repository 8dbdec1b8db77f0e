"""`POST /api/auth/token`: the OAuth2 password flow for staff API clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.auth import issue_token, sign_in
from api.schemas import ErrorOut

router = APIRouter(prefix="/api/auth", tags=["staff"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post(
    "/token",
    response_model=TokenOut,
    responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}},
)
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """Exchange a staff username and password for a bearer token."""
    user = sign_in(request, form.username, form.password)
    settings = request.app.state.settings
    access, _ = issue_token(settings, user, "access")
    return TokenOut(access_token=access, expires_in=settings.auth.access_token_minutes * 60)
