"""The analytics sink: counts of what people ask about, never who or what exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from assistant.analytics.rollups import add_to_rollups, cells_for
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
        opens_conversation: bool = False,
    ) -> None:
        """`opens_conversation` also counts a conversation (first message of a session)."""
        ...


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
        opens_conversation: bool = False,
    ) -> None:
        hour = truncate_to_hour(dt.datetime.now(dt.UTC).replace(tzinfo=None))
        kinds = ["conversation", kind] if opens_conversation else [kind]
        with self._sessions.begin() as s:
            keys = []
            for k in kinds:
                fields = {
                    "kind": k,
                    "hour": hour,
                    "language": language,
                    "local_authority": local_authority,
                    "categories": sorted(set(categories)),
                    "escalated": escalated if k == "message" else False,
                    "severity": severity if k == "message" else "none",
                    "answered": answered if k == "message" else True,
                }
                s.add(AnalyticsEvent(**fields))
                keys += cells_for(**fields)
            # the rollups the dashboard reads move in the same transaction as the events
            add_to_rollups(s, keys)
