"""Privacy operations on stored conversations: a worker's own deletion, and retention.

A conversation goes with all its messages. The one exception is a message that opened a
safeguarding case: staff have a duty of care to a worker who may be in danger, so the case keeps
that (already redacted) message, and the conversation row it hangs on is re-keyed to a random id,
so the worker's session token no longer opens, continues or finds it.

`harbour retention run` (and, when serving, a timer every `retention.run_every_hours`) deletes
conversations untouched for `retention.days` (default 365) and CV-review analytics events older
than that, and purges ended rate-limit windows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, exists, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.models import (
    AnalyticsEvent,
    Conversation,
    EscalationCase,
    Message,
    utcnow,
)

log = logging.getLogger(__name__)
ERASED_PREFIX = "erased-"
_BATCH = 500


@dataclass(frozen=True)
class Erasure:
    messages_deleted: int
    messages_kept_for_safeguarding: int


@dataclass(frozen=True)
class RetentionReport:
    cutoff: dt.datetime
    conversations: int
    messages: int
    messages_kept_for_safeguarding: int
    cv_events: int
    rate_limit_windows: int

    def summary(self) -> str:
        return (
            f"Deleted {self.conversations} conversations ({self.messages} messages; "
            f"{self.messages_kept_for_safeguarding} kept with safeguarding cases), "
            f"{self.cv_events} CV events and {self.rate_limit_windows} ended rate-limit windows "
            f"older than {self.cutoff:%Y-%m-%d %H:%M} UTC"
        )


def conversation_id(session_token: str) -> str:
    return hashlib.sha256(session_token.encode()).hexdigest()


class ConversationEraser:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def delete_session(self, session_token: str) -> Erasure | None:
        """Delete the conversation of this session token; None when there is none."""
        with self._sessions.begin() as s:
            if s.get(Conversation, conversation_id(session_token)) is None:
                return None
            erasure = self._erase(s, conversation_id(session_token))
        self._flush_wal()
        return erasure

    def _flush_wal(self) -> None:
        """SQLite: move the (secure-deleted) pages into the main file and empty the WAL, so the
        deleted text does not linger in old WAL frames. Best effort under concurrent readers."""
        with self._sessions() as s:
            if s.get_bind().dialect.name == "sqlite":
                s.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    def _erase(self, s: Session, cid: str) -> Erasure:
        on_case = select(EscalationCase.message_id).where(EscalationCase.conversation_id == cid)
        deleted = s.execute(
            delete(Message).where(Message.conversation_id == cid, Message.id.not_in(on_case))
        ).rowcount
        kept = len(s.scalars(on_case).all())
        has_case = s.scalar(select(exists().where(EscalationCase.conversation_id == cid)))
        if has_case and not cid.startswith(ERASED_PREFIX):
            old = s.get(Conversation, cid)
            assert old is not None
            new_id = ERASED_PREFIX + secrets.token_hex(24)
            s.add(
                Conversation(
                    id=new_id,
                    language=old.language,
                    local_authority=old.local_authority,
                    created_at=old.created_at,
                    updated_at=old.updated_at,
                )
            )
            s.flush()
            s.execute(
                update(Message).where(Message.conversation_id == cid).values(conversation_id=new_id)
            )
            s.execute(
                update(EscalationCase)
                .where(EscalationCase.conversation_id == cid)
                .values(conversation_id=new_id)
            )
            s.execute(delete(Conversation).where(Conversation.id == cid))
        elif not has_case:
            s.execute(delete(Conversation).where(Conversation.id == cid))
        return Erasure(deleted, kept)

    def run_retention(
        self,
        days: int,
        now: dt.datetime | None = None,
        purge_rate_limits: Callable[[], int] | None = None,
    ) -> RetentionReport:
        cutoff = (now or utcnow()) - dt.timedelta(days=days)
        conversations = messages = kept = 0
        while True:
            with self._sessions.begin() as s:
                ids = s.scalars(
                    select(Conversation.id)
                    .where(
                        Conversation.updated_at < cutoff,
                        Conversation.id.not_like(ERASED_PREFIX + "%"),
                    )
                    .limit(_BATCH)
                ).all()
                for cid in ids:
                    e = self._erase(s, cid)
                    conversations += 1
                    messages += e.messages_deleted
                    kept += e.messages_kept_for_safeguarding
            if len(ids) < _BATCH:
                break
        with self._sessions.begin() as s:
            cv = s.execute(
                delete(AnalyticsEvent).where(
                    AnalyticsEvent.kind == "cv_review", AnalyticsEvent.hour < cutoff
                )
            ).rowcount
        windows = purge_rate_limits() if purge_rate_limits else 0
        self._flush_wal()
        report = RetentionReport(cutoff, conversations, messages, kept, cv, windows)
        log.info("retention: %s", report.summary())
        return report


class RetentionTimer:
    """Runs the retention job in a daemon thread every `interval_s` while the app serves.

    With several workers each runs it; the deletes are idempotent, so that is harmless.
    """

    def __init__(
        self, job: Callable[[], object], interval_s: float, first_delay_s: float = 60.0
    ) -> None:
        self._job = job
        self._interval_s = interval_s
        self._first_delay_s = first_delay_s  # let start-up finish first
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        if self._interval_s <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        if self._stop.wait(self._first_delay_s):
            return
        while not self._stop.is_set():
            try:
                self._job()
                self.runs += 1
            except Exception:  # keep serving; the next run tries again
                log.exception("retention run failed")
            self._stop.wait(self._interval_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
