"""Weekly rollups of analytics events: the only table the dashboard reads.

Each event adds 1 to a few cells keyed (category, measure, week, council, language):

- category is "*" (every event) or one of the 12 topic categories the event mentions;
- measure is "conversations", "messages", "cvs", "unanswered" (no good-enough guidance) or
  "escalations_high" / "escalations_urgent";
- week is the Monday of the event's ISO week; council and language are normalised to a fixed
  vocabulary ("unknown" when absent, "other" for an unsupported language).

The sink updates these cells in the transaction that stores the event, so they are never stale;
`rebuild_rollups` recomputes them from the events (for databases that predate the table).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.languages import LOCAL_AUTHORITY_SLUGS, SUPPORTED_LANGUAGES
from assistant.storage.models import AnalyticsEvent, AnalyticsRollup
from assistant.topics import CATEGORIES

ALL = "*"
UNKNOWN = "unknown"
OTHER = "other"
ACTIVITY_MEASURES = ("conversations", "messages", "cvs")
SEVERITIES = ("high", "urgent")
MEASURES = (*ACTIVITY_MEASURES, "unanswered", *(f"escalations_{s}" for s in SEVERITIES))
_KIND_MEASURE = {"conversation": "conversations", "message": "messages", "cv_review": "cvs"}

Key = tuple[str, str, str, str, str]  # category, measure, week, local_authority, language


def week_of(when: dt.datetime | dt.date) -> str:
    day = when.date() if isinstance(when, dt.datetime) else when
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def norm_council(value: str | None) -> str:
    return value if value in LOCAL_AUTHORITY_SLUGS else UNKNOWN


def norm_language(value: str | None) -> str:
    if not value:
        return UNKNOWN
    return value if value in SUPPORTED_LANGUAGES else OTHER


def cells_for(
    *,
    kind: str,
    hour: dt.datetime,
    language: str | None,
    local_authority: str | None,
    categories: Sequence[str],
    escalated: bool,
    severity: str,
    answered: bool,
) -> list[Key]:
    """The rollup cells one event adds 1 to."""
    measure = _KIND_MEASURE.get(kind)
    if measure is None:
        return []
    measures = [measure]
    if kind == "message":
        if not answered:
            measures.append("unanswered")
        if escalated and severity in SEVERITIES:
            measures.append(f"escalations_{severity}")
    cats = [ALL, *sorted({c for c in categories if c in CATEGORIES})]
    week, council, lang = week_of(hour), norm_council(local_authority), norm_language(language)
    return [(c, m, week, council, lang) for c in cats for m in measures]


def add_to_rollups(session: Session, keys: Iterable[Key]) -> None:
    """Add 1 per key (with multiplicity), upserting; runs inside the caller's transaction."""
    counts = Counter(keys)
    if counts:
        _upsert(session, counts)


def _upsert(session: Session, counts: Counter[Key]) -> None:
    rows = [
        {"category": k[0], "measure": k[1], "week": k[2], "local_authority": k[3],
         "language": k[4], "n": n}
        for k, n in counts.items()
    ]  # fmt: skip
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:  # pragma: no cover - the project supports SQLite and PostgreSQL
        raise NotImplementedError(f"rollup upsert for {dialect}")
    stmt = dialect_insert(AnalyticsRollup)
    stmt = stmt.on_conflict_do_update(
        index_elements=["category", "measure", "week", "local_authority", "language"],
        set_={"n": AnalyticsRollup.n + stmt.excluded.n},
    )
    for start in range(0, len(rows), 5000):
        session.execute(stmt, rows[start : start + 5000])


def rebuild_rollups(sessions: sessionmaker[Session], batch: int = 50_000) -> int:
    """Recompute every rollup cell from the events; returns the number of events read."""
    cols = (
        AnalyticsEvent.kind,
        AnalyticsEvent.hour,
        AnalyticsEvent.language,
        AnalyticsEvent.local_authority,
        AnalyticsEvent.categories,
        AnalyticsEvent.escalated,
        AnalyticsEvent.severity,
        AnalyticsEvent.answered,
    )
    counts: Counter[Key] = Counter()
    seen = 0
    with sessions.begin() as s:
        s.execute(delete(AnalyticsRollup))
        result = s.execute(select(*cols).execution_options(yield_per=batch))
        for kind, hour, language, council, categories, escalated, severity, answered in result:
            seen += 1
            counts.update(
                cells_for(
                    kind=kind,
                    hour=hour,
                    language=language,
                    local_authority=council,
                    categories=categories or (),
                    escalated=escalated,
                    severity=severity,
                    answered=answered,
                )
            )
        rows = [
            {"category": k[0], "measure": k[1], "week": k[2], "local_authority": k[3],
             "language": k[4], "n": n}
            for k, n in counts.items()
        ]  # fmt: skip
        for start in range(0, len(rows), 10_000):
            s.execute(insert(AnalyticsRollup), rows[start : start + 10_000])
    return seen


def rollups_missing(sessions: sessionmaker[Session]) -> bool:
    """True when there are events but no rollups (a database from before the rollup table)."""
    with sessions() as s:
        has_events = s.scalar(
            select(func.count()).select_from(select(AnalyticsEvent.id).limit(1).subquery())
        )
        has_rollups = s.scalar(
            select(func.count()).select_from(select(AnalyticsRollup.n).limit(1).subquery())
        )
    return bool(has_events) and not has_rollups
