"""Request and response models of the HTTP API (other tools depend on these exact shapes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ChatRequest(BaseModel):
    message: str = Field(description="The worker's message, 1–4,000 characters.")
    session_id: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, description="ISO 639-1 code; wins over detection.")
    local_authority: str | None = Field(default=None, description="Council slug.")
    message_id: str | None = Field(
        default=None, max_length=64, description="Client id that makes retries idempotent."
    )


class CitationOut(BaseModel):
    title: str
    url: str


class ChatReply(BaseModel):
    session_id: str
    reply: str
    reply_english: str | None
    language: str
    citations: list[CitationOut]
    categories: list[str]
    escalated: bool
    severity: Literal["none", "high", "urgent"]


class LocalAuthorityOut(BaseModel):
    slug: str
    name: str


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: dict = Field(default_factory=dict)


class ErrorOut(BaseModel):
    error: ErrorBody
