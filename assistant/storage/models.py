"""Database tables. Only redacted text is ever stored; analytics rows hold no text at all."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    # sha256 of the session token: the token itself is a bearer secret and is never stored
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8))
    local_authority: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "client_message_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # "user" | "assistant"
    text: Mapped[str] = mapped_column(Text)  # redacted
    language: Mapped[str | None] = mapped_column(String(8))
    client_message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class EscalationCase(Base):
    __tablename__ = "escalation_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    severity: Mapped[str] = mapped_column(String(16), index=True)
    indicators: Mapped[list] = mapped_column(JSON)
    method: Mapped[str] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(8))
    # the worker's council, or "regional" when unknown
    local_authority: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class AnalyticsEvent(Base):
    """One event per message or CV review: no text, no session id, time truncated to the hour."""

    __tablename__ = "analytics_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "message" | "cv_review"
    hour: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    local_authority: Mapped[str | None] = mapped_column(String(40))
    categories: Mapped[list] = mapped_column(JSON, default=list)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    severity: Mapped[str] = mapped_column(String(16), default="none")
    answered: Mapped[bool] = mapped_column(Boolean, default=False)


class AnalyticsRollup(Base):
    """Weekly counts by council, language, category ("*" = all) and measure (issue 5).

    Kept in step with analytics_events by the sink, in the same transaction; the dashboard reads
    only this table (assistant/analytics/rollups.py, queries.py).
    """

    __tablename__ = "analytics_rollups"
    __table_args__ = ({"sqlite_with_rowid": False},)
    category: Mapped[str] = mapped_column(String(24), primary_key=True)
    measure: Mapped[str] = mapped_column(String(24), primary_key=True)
    week: Mapped[str] = mapped_column(String(10), primary_key=True)  # Monday, YYYY-MM-DD
    local_authority: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


# --- Staff access and the safeguarding case workflow (issue 4) -----------------------------
# The case's state lives on EscalationCase.status; everything else about its progress is in the
# append-only case_events trail (UPDATE and DELETE are refused by triggers, see below).


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))  # "safeguarding_lead" | "programme" | "admin"
    councils: Mapped[list] = mapped_column(JSON, default=list)  # slugs, or ["regional"]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class CaseEvent(Base):
    """Who did what to a case, and when. Append-only."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("escalation_cases.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # a staff username, or "system"
    action: Mapped[str] = mapped_column(String(32))  # acknowledged, referred, closed, note, …
    detail: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. {"to": "police"}
    text: Mapped[str | None] = mapped_column(Text)  # a note, referral note or outcome (staff's)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class CaseContact(Base):
    """A way to reach the worker, left with explicit consent; Fernet-encrypted, erased later."""

    __tablename__ = "case_contacts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("escalation_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "phone" | "email"
    ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)  # None once erased
    consented_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    erase_after: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class NotificationOutbox(Base):
    """One row per case and channel; retried until sent, never dropped."""

    __tablename__ = "notification_outbox"
    __table_args__ = (UniqueConstraint("case_id", "channel"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("escalation_cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # "email" | "webhook"
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # or "sent"
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


for _verb in ("UPDATE", "DELETE"):
    event.listen(
        CaseEvent.__table__,
        "after_create",
        DDL(
            f"CREATE TRIGGER case_events_no_{_verb.lower()} BEFORE {_verb} ON case_events "
            "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END"
        ).execute_if(dialect="sqlite"),
    )
event.listen(
    CaseEvent.__table__,
    "after_create",
    DDL(
        "CREATE FUNCTION case_events_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'case_events is append-only'; END; $$ LANGUAGE plpgsql; "
        "CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events "
        "FOR EACH ROW EXECUTE FUNCTION case_events_append_only()"
    ).execute_if(dialect="postgresql"),
)


# --- Abuse limits (issue 8) -----------------------------------------------------------------


class RateLimitCounter(Base):
    """A fixed-window counter for the `limits` library, shared by every API worker.

    Keys hold hashes only (of a session token or a client address), never the values.
    """

    __tablename__ = "rate_limits"
    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # unix time
