"""Request and response models of the HTTP API (other tools depend on these exact shapes)."""

from __future__ import annotations

from datetime import date, datetime
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


# --- Safeguarding escalations (issue 4) -----------------------------------------------------


class EscalationPublic(BaseModel):
    id: int
    severity: Literal["high", "urgent"]
    status: Literal["new", "acknowledged", "referred", "closed"]
    local_authority: str = Field(description="Council slug, or 'regional' when unknown.")
    indicators: list[str]
    method: str
    language: str | None
    created_at: datetime
    acknowledge_by: datetime = Field(description="Response target (UTC).")
    overdue: bool


class EscalationMessageOut(BaseModel):
    role: Literal["user", "assistant"]
    text: str = Field(description="As stored: redacted.")
    language: str | None
    created_at: datetime


class CaseEventOut(BaseModel):
    actor: str
    action: str
    detail: dict
    text: str | None
    created_at: datetime


class ContactOut(BaseModel):
    kind: Literal["phone", "email"]
    value: str | None = Field(description="None once erased.")
    consented_at: datetime
    erase_after: datetime | None


class EscalationDetail(EscalationPublic):
    acknowledged_at: datetime | None
    messages: list[EscalationMessageOut]
    events: list[CaseEventOut]
    contacts: list[ContactOut]


class AcknowledgeRequest(BaseModel):
    note: str | None = Field(default=None, max_length=4000)


class ReferRequest(BaseModel):
    to: str = Field(description="police, nrm_first_responder, council_adult_safeguarding, "
                    "council_children_safeguarding, modern_slavery_helpline or other.")
    note: str | None = Field(default=None, max_length=4000)


class CloseRequest(BaseModel):
    outcome: str = Field(max_length=4000)


class NoteRequest(BaseModel):
    text: str = Field(max_length=4000)


class ContactRequest(BaseModel):
    session_id: str = Field(max_length=200)
    contact: str = Field(max_length=254, description="A phone number or an email address.")
    consent: bool = Field(description="Must be true: the worker agrees to be contacted.")


class CvSectionOut(BaseModel):
    name: str = Field(description="Section id, e.g. `contact`, `experience`, `right_to_work`.")
    score: int = Field(ge=0, le=100)


class CvFindingOut(BaseModel):
    severity: Literal["high", "medium", "low"]
    section: str
    message: str = Field(description="What is wrong, in the requested language.")
    suggestion: str = Field(description="What to change, with an example (in English).")


class CvReviewOut(BaseModel):
    language: str
    score: int = Field(ge=0, le=100)
    sections: list[CvSectionOut]
    findings: list[CvFindingOut] = Field(description="Most important first.")
    hidden_text_found: bool


# --- Guide articles (issue 3) ---------------------------------------------------------------


class ArticleTranslationOut(BaseModel):
    language: str
    title: str
    key_points: list[str] = Field(description="Same number and order as the English.")
    questions: list[str]


class ArticleOut(BaseModel):
    id: str
    url: str = Field(description="The page citations link to: /guide/{id}.")
    title: str
    topic: str
    summary: str
    key_points: list[str]
    questions: list[str]
    body: str = Field(description="Markdown; internal links are written guide:<article-id>.")
    source_urls: list[str]
    last_reviewed: date
    review_by: date
    local_authority: str | None = Field(description="Council slug, 'regional', or null.")
    translation: ArticleTranslationOut | None = Field(
        description="In the requested `lang`, when the article is translated into it."
    )
