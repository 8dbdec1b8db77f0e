"""Aggregate queries for the programme dashboard, with small-number suppression everywhere.

Reads only the weekly rollups (never the events): no text, session id or time finer than a
week can leave through here. Every number goes through `suppression.Cell.publish`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.analytics.rollups import (
    ACTIVITY_MEASURES,
    ALL,
    OTHER,
    SEVERITIES,
    UNKNOWN,
    week_of,
)
from assistant.analytics.suppression import NOTE, SUPPRESSED, THRESHOLD, Cell, hidden_any, shown_sum
from assistant.errors import InvalidInput
from assistant.languages import LOCAL_AUTHORITIES, SUPPORTED_LANGUAGES
from assistant.storage.models import AnalyticsRollup as R
from assistant.topics import CATEGORIES

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
CATEGORY_NAMES = {
    "visa_immigration": "Visa and immigration",
    "employment_rights": "Employment rights",
    "finding_work": "Finding work",
    "housing": "Housing",
    "health_wellbeing": "Health and wellbeing",
    "money": "Money",
    "family": "Family",
    "community": "Community",
    "english_training": "English and training",
    "transport_driving": "Transport and driving",
    "legal_advice": "Legal advice",
    "safeguarding": "Safeguarding",
}
COUNCILS = (*((la.slug, la.name) for la in LOCAL_AUTHORITIES), (UNKNOWN, "Council not given"))
LANGUAGES = (
    *SUPPORTED_LANGUAGES.items(),
    (OTHER, "Other languages"),
    (UNKNOWN, "Language not known"),
)


class InvalidAnalyticsFilter(InvalidInput):
    code = "invalid_filter"


@dataclass(frozen=True)
class Filters:
    """A validated selection; dates are widened to whole ISO weeks."""

    start: dt.date  # a Monday
    end: dt.date  # a Sunday
    local_authority: str | None = None
    language: str | None = None
    category: str | None = None

    @classmethod
    def parse(
        cls,
        from_: str | None = None,
        to: str | None = None,
        local_authority: str | None = None,
        language: str | None = None,
        category: str | None = None,
        *,
        today: dt.date | None = None,
    ) -> Filters:
        end = _date(to, "to") if to else (today or dt.date.today())
        start = _date(from_, "from") if from_ else end - dt.timedelta(weeks=DEFAULT_WEEKS - 1)
        start = dt.date.fromisoformat(week_of(start))
        end = dt.date.fromisoformat(week_of(end)) + dt.timedelta(days=6)
        if start > end:
            raise InvalidAnalyticsFilter("'from' must not be after 'to'.")
        if (end - start).days // 7 + 1 > MAX_WEEKS:
            raise InvalidAnalyticsFilter(f"Choose at most {MAX_WEEKS} weeks.", limit=MAX_WEEKS)
        councils = {slug for slug, _ in COUNCILS}
        if local_authority and local_authority not in councils:
            raise InvalidAnalyticsFilter("Unknown council.", valid=sorted(councils))
        languages = {code for code, _ in LANGUAGES}
        if language and language not in languages:
            raise InvalidAnalyticsFilter("Unknown language.", valid=sorted(languages))
        if category and category not in CATEGORIES:
            raise InvalidAnalyticsFilter("Unknown category.", valid=list(CATEGORIES))
        return cls(start, end, local_authority or None, language or None, category or None)

    @property
    def weeks(self) -> list[str]:
        n = (self.end - self.start).days // 7 + 1
        return [(self.start + dt.timedelta(weeks=i)).isoformat() for i in range(n)]

    def as_dict(self) -> dict[str, str | None]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "local_authority": self.local_authority,
            "language": self.language,
            "category": self.category,
        }


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidAnalyticsFilter(f"'{name}' must be a date written YYYY-MM-DD.") from None


class AnalyticsQueries:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def summary(self, f: Filters) -> dict[str, Any]:
        weeks = f.weeks
        sel = f.category or ALL
        shown, hidden = shown_sum(R.n).label("shown"), hidden_any(R.n).label("hidden")

        def where(stmt, *, category_all: bool = True):
            stmt = stmt.where(R.week >= weeks[0], R.week <= weeks[-1])
            if f.local_authority:
                stmt = stmt.where(R.local_authority == f.local_authority)
            if f.language:
                stmt = stmt.where(R.language == f.language)
            if category_all:
                return stmt.where(R.category == sel)
            if f.category:
                return stmt.where(R.category == f.category)
            return stmt.where(R.category != ALL)

        gap_measures = ("messages", "unanswered")
        with self._sessions() as s:
            by_week = s.execute(
                where(select(R.measure, R.week, shown, hidden)).group_by(R.measure, R.week)
            ).all()
            by_topic = s.execute(
                where(
                    select(R.category, R.measure, R.week, shown, hidden).where(
                        R.measure.in_(gap_measures)
                    ),
                    category_all=False,
                ).group_by(R.category, R.measure, R.week)
            ).all()
            by_council = s.execute(
                where(
                    select(R.local_authority, R.measure, shown, hidden).where(
                        R.measure.in_(gap_measures)
                    )
                ).group_by(R.local_authority, R.measure)
            ).all()
            by_language = s.execute(
                where(
                    select(R.language, R.measure, shown, hidden).where(R.measure.in_(gap_measures))
                ).group_by(R.language, R.measure)
            ).all()

        weekly: dict[str, dict[str, Cell]] = defaultdict(dict)
        for measure, week, n, h in by_week:
            weekly[measure][week] = Cell(int(n or 0), bool(h))
        topic_weekly: dict[tuple[str, str], dict[str, Cell]] = defaultdict(dict)
        for category, measure, week, n, h in by_topic:
            topic_weekly[(category, measure)][week] = Cell(int(n or 0), bool(h))

        def total(cells: dict[str, Cell]) -> Cell:
            return sum(cells.values(), Cell())

        def series(cells: dict[str, Cell]) -> list[int | str]:
            return [cells.get(w, Cell()).publish() for w in weeks]

        topics = [c for c in CATEGORIES if not f.category or c == f.category]
        council_cells = {(la, m): Cell(int(n or 0), bool(h)) for la, m, n, h in by_council}
        language_cells = {(lg, m): Cell(int(n or 0), bool(h)) for lg, m, n, h in by_language}
        councils = [c for c in COUNCILS if not f.local_authority or c[0] == f.local_authority]
        languages = [lg for lg in LANGUAGES if not f.language or lg[0] == f.language]

        def ranked(rows: list[dict[str, Any]], cells: dict[str, Cell]) -> list[dict[str, Any]]:
            # Order by the published figure only, so the order of "<5" rows reveals nothing.
            return sorted(rows, key=lambda r: -cells[r["key"]].shown)

        gaps_topic_cells = {c: total(topic_weekly.get((c, "unanswered"), {})) for c in topics}
        gaps_lang_cells = {
            code: language_cells.get((code, "unanswered"), Cell()) for code, _ in languages
        }
        return {
            "filters": f.as_dict(),
            "weeks": weeks,
            "suppression": {"threshold": THRESHOLD, "marker": SUPPRESSED, "note": NOTE},
            "totals": {
                m: total(weekly.get(m, {})).publish() for m in (*ACTIVITY_MEASURES, "unanswered")
            },
            "activity": {m: series(weekly.get(m, {})) for m in ACTIVITY_MEASURES},
            "topics": [
                {
                    "category": c,
                    "name": CATEGORY_NAMES[c],
                    "weekly": series(topic_weekly.get((c, "messages"), {})),
                    "total": total(topic_weekly.get((c, "messages"), {})).publish(),
                }
                for c in topics
            ],
            "by_council": [
                {
                    "local_authority": slug,
                    "name": name,
                    "messages": council_cells.get((slug, "messages"), Cell()).publish(),
                    "unanswered": council_cells.get((slug, "unanswered"), Cell()).publish(),
                }
                for slug, name in councils
            ],
            "by_language": [
                {
                    "language": code,
                    "name": name,
                    "messages": language_cells.get((code, "messages"), Cell()).publish(),
                    "unanswered": language_cells.get((code, "unanswered"), Cell()).publish(),
                }
                for code, name in languages
            ],
            "escalations": {
                sev: total(weekly.get(f"escalations_{sev}", {})).publish() for sev in SEVERITIES
            },
            "gaps": {
                "by_category": [
                    {k: v for k, v in r.items() if k != "key"}
                    for r in ranked(
                        [
                            {
                                "key": c,
                                "category": c,
                                "name": CATEGORY_NAMES[c],
                                "unanswered": gaps_topic_cells[c].publish(),
                            }
                            for c in topics
                        ],
                        gaps_topic_cells,
                    )
                ],
                "by_language": [
                    {k: v for k, v in r.items() if k != "key"}
                    for r in ranked(
                        [
                            {
                                "key": code,
                                "language": code,
                                "name": name,
                                "unanswered": gaps_lang_cells[code].publish(),
                            }
                            for code, name in languages
                        ],
                        gaps_lang_cells,
                    )
                ],
            },
        }


CSV_COLUMNS = ("section", "week", "local_authority", "language", "category", "measure", "count")


def summary_csv(summary: dict[str, Any]) -> str:
    """The summary as long-format CSV: one published number per row, same suppression."""
    flt = summary["filters"]
    base = {
        "week": f"{flt['from']}..{flt['to']}",
        "local_authority": flt["local_authority"] or "all",
        "language": flt["language"] or "all",
        "category": flt["category"] or "all",
    }
    rows: list[dict[str, Any]] = []

    def add(section: str, measure: str, count: Any, **over: str) -> None:
        rows.append({**base, **over, "section": section, "measure": measure, "count": count})

    for m, value in summary["totals"].items():
        add("totals", m, value)
    for m, values in summary["activity"].items():
        for week, value in zip(summary["weeks"], values, strict=True):
            add("activity", m, value, week=week)
    for t in summary["topics"]:
        for week, value in zip(summary["weeks"], t["weekly"], strict=True):
            add("topics", "messages", value, week=week, category=t["category"])
    for r in summary["by_council"]:
        for m in ("messages", "unanswered"):
            add("by_council", m, r[m], local_authority=r["local_authority"])
    for r in summary["by_language"]:
        for m in ("messages", "unanswered"):
            add("by_language", m, r[m], language=r["language"])
    for sev, value in summary["escalations"].items():
        add("escalations", f"escalations_{sev}", value)
    for r in summary["gaps"]["by_category"]:
        add("gaps_by_category", "unanswered", r["unanswered"], category=r["category"])
    for r in summary["gaps"]["by_language"]:
        add("gaps_by_language", "unanswered", r["unanswered"], language=r["language"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
