"""The analytics sink: counts of what people ask about, never who or what exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from assistant.storage.models import AnalyticsEvent


class AnalyticsSink(Protocol):
    """Records one event per message; implementations must never receive text."""

    def record(
        self,
        *,
        categories: Sequence[str],
        language: str,
        local_authority: str | None,
        escalated: bool,
        severity: str,
        answered: bool,
        kind: str = "message",
    ) -> None: ...


def truncate_to_hour(when: dt.datetime) -> dt.datetime:
    return when.replace(minute=0, second=0, microsecond=0)


class SqlAnalyticsSink:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(
        self,
        *,
        categories: Sequence[str],
        language: str,
        local_authority: str | None,
        escalated: bool,
        severity: str,
        answered: bool,
        kind: str = "message",
    ) -> None:
        with self._sessions.begin() as s:
            s.add(
                AnalyticsEvent(
                    kind=kind,
                    hour=truncate_to_hour(dt.datetime.now(dt.UTC).replace(tzinfo=None)),
                    language=language,
                    local_authority=local_authority,
                    categories=sorted(set(categories)),
                    escalated=escalated,
                    severity=severity,
                    answered=answered,
                )
            )
