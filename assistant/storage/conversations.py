"""Conversations, messages and escalation cases.

The user's message and, when the safeguarding check escalates, its case are written in one
transaction and committed before any answer is composed: a crash after this point cannot lose
an escalation.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.models import RedactedText, Verdict
from assistant.storage.models import Conversation, EscalationCase, Message, utcnow

_CLIENT_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,200}")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ConversationRef:
    token: str  # the session_id given to the client
    id: str  # stored key (hash of the token)
    language: str | None
    local_authority: str | None
    is_new: bool


@dataclass(frozen=True)
class RecordedTurn:
    message_id: int
    case_id: int | None
    duplicate: bool  # the client retried a message id we already have
    history: tuple[RedactedText, ...] = ()  # earlier user messages, oldest first (follow-ups)


def _user_texts(
    s: Session, conversation_id: str, limit: int, before_id: int | None = None
) -> tuple[RedactedText, ...]:
    """The last `limit` user messages (before message `before_id`), oldest first."""
    query = select(Message.text).where(
        Message.conversation_id == conversation_id, Message.role == "user"
    )
    if before_id is not None:
        query = query.where(Message.id < before_id)
    rows = s.scalars(query.order_by(Message.id.desc()).limit(limit)).all()
    return tuple(RedactedText(t) for t in reversed(rows))


class ConversationStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def open(self, token: str | None) -> ConversationRef:
        """The conversation for `token`, or a new one with a fresh unguessable token."""
        if token:
            with self._sessions() as s:
                conv = s.get(Conversation, _hash_token(token))
                if conv is not None:
                    return ConversationRef(
                        token, conv.id, conv.language, conv.local_authority, False
                    )
            if _CLIENT_TOKEN.fullmatch(token):
                # A client-chosen unguessable id for a new conversation: without it the first
                # message could not be retried idempotently after a lost reply (issue 4).
                return ConversationRef(token, _hash_token(token), None, None, True)
        token = secrets.token_urlsafe(32)
        return ConversationRef(token, _hash_token(token), None, None, True)

    def record_user_message(
        self,
        conv: ConversationRef,
        text: RedactedText,
        language: str,
        local_authority: str | None,
        verdict: Verdict,
        client_message_id: str | None = None,
        history: int = 2,
    ) -> RecordedTurn:
        """Store the message (and its case) in one transaction; the turn carries up to
        `history` earlier user messages, read in the same transaction."""
        with self._sessions.begin() as s:
            row = s.get(Conversation, conv.id)
            is_new = row is None
            if row is None:
                row = Conversation(id=conv.id)
                s.add(row)
            row.language = language
            row.local_authority = local_authority or row.local_authority
            row.updated_at = utcnow()
            if client_message_id:
                existing = s.scalar(
                    select(Message).where(
                        Message.conversation_id == conv.id,
                        Message.client_message_id == client_message_id,
                    )
                )
                if existing is not None:
                    case = s.scalar(
                        select(EscalationCase.id).where(EscalationCase.message_id == existing.id)
                    )
                    earlier = _user_texts(s, conv.id, history, before_id=existing.id)
                    return RecordedTurn(existing.id, case, True, earlier)
            earlier = () if is_new or not history else _user_texts(s, conv.id, history)
            msg = Message(
                conversation_id=conv.id,
                role="user",
                text=text.text,
                language=language,
                client_message_id=client_message_id,
            )
            s.add(msg)
            s.flush()
            case_id = None
            if verdict.escalate:
                case = EscalationCase(
                    conversation_id=conv.id,
                    message_id=msg.id,
                    severity=verdict.severity.value,
                    indicators=list(verdict.indicators),
                    method=verdict.method,
                    language=language,
                    local_authority=local_authority or row.local_authority or "regional",
                )
                s.add(case)
                s.flush()
                case_id = case.id
            return RecordedTurn(msg.id, case_id, False, earlier)

    def record_assistant_message(self, conv: ConversationRef, text: str, language: str) -> None:
        """Assistant replies are built from curated text and placeholders, never raw input."""
        with self._sessions.begin() as s:
            s.add(Message(conversation_id=conv.id, role="assistant", text=text, language=language))

    def recent_user_messages(self, conv: ConversationRef, limit: int = 2) -> list[RedactedText]:
        with self._sessions() as s:
            return list(_user_texts(s, conv.id, limit))

    def get_case(self, case_id: int) -> EscalationCase | None:
        with self._sessions() as s:
            return s.get(EscalationCase, case_id)

    def list_cases(self) -> list[EscalationCase]:
        with self._sessions() as s:
            return list(s.scalars(select(EscalationCase).order_by(EscalationCase.id)).all())
