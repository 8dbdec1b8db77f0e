"""An attacker against the dashboard's small-number suppression, for the property tests.

The attacker sees every view (every date range × council × language × topic filter) and knows
exactly which events each published number claims to count (its "box" over the finest event
types: week, council, language, kind, topic set, answered, severity). It takes every number at
face value as the true count of its box, and for every box shown as "<5" tries to write that
box as a linear combination of published boxes: totals minus visible parts, one filtered view
minus another, and any longer chain of such differences. A hidden cell is *recovered* when its
box is in the span of the published boxes and the combination gives its true count.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np

from assistant.analytics.queries import AnalyticsQueries, Filters
from assistant.analytics.rollups import norm_council, norm_language
from assistant.analytics.suppression import SUPPRESSED

WEEK0 = dt.date(2026, 3, 2)  # a Monday
N_WEEKS = 3
COUNCILS = ("birmingham", "coventry", None)
LANGUAGES = ("en", "hi", None)
TOPICS = ("housing", "money")
SEVERITIES = ("none", "high", "urgent")


@dataclass(frozen=True)
class EventType:
    week: int
    council: str | None
    language: str | None
    kind: str  # conversation | message | cv_review
    topics: frozenset[str]
    answered: bool
    severity: str

    def row(self, hour: int = 10) -> dict:
        when = dt.datetime.combine(WEEK0 + dt.timedelta(weeks=self.week, days=hour % 7), dt.time())
        return {
            "kind": self.kind,
            "hour": when.replace(hour=hour % 24),
            "language": self.language,
            "local_authority": self.council,
            "categories": sorted(self.topics),
            "escalated": self.severity != "none",
            "severity": self.severity,
            "answered": self.answered,
        }


def all_types() -> list[EventType]:
    topic_sets = [
        frozenset(c) for r in range(len(TOPICS) + 1) for c in itertools.combinations(TOPICS, r)
    ]
    out = []
    for w, c, lang in itertools.product(range(N_WEEKS), COUNCILS, LANGUAGES):
        for ts in topic_sets:
            out.append(EventType(w, c, lang, "conversation", ts, True, "none"))
            for answered, sev in itertools.product((True, False), SEVERITIES):
                out.append(EventType(w, c, lang, "message", ts, answered, sev))
        out.append(EventType(w, c, lang, "cv_review", frozenset(), True, "none"))
    return out


ATOMS = all_types()
_A = {
    "week": np.array([a.week for a in ATOMS]),
    "council": np.array([norm_council(a.council) for a in ATOMS]),
    "language": np.array([norm_language(a.language) for a in ATOMS]),
    "kind": np.array([a.kind for a in ATOMS]),
    "answered": np.array([a.answered for a in ATOMS]),
    "severity": np.array([a.severity for a in ATOMS]),
    **{f"topic:{t}": np.array([t in a.topics for a in ATOMS]) for t in TOPICS},
}
_KIND = {"conversations": "conversation", "messages": "message", "cvs": "cv_review"}


def all_filters() -> list[Filters]:
    weeks = [WEEK0 + dt.timedelta(weeks=i) for i in range(N_WEEKS)]
    out = []
    for i, j in itertools.combinations_with_replacement(range(N_WEEKS), 2):
        for council in (None, "birmingham", "coventry", "unknown", "dudley"):
            for language in (None, "en", "hi", "unknown"):
                for category in (None, *TOPICS):
                    out.append(
                        Filters.parse(
                            weeks[i].isoformat(), weeks[j].isoformat(), council, language, category
                        )
                    )
    return out


def _mask(f: Filters, *, measure: str, weeks=None, council=None, language=None, topic=None):
    week_idx = [(dt.date.fromisoformat(w) - WEEK0).days // 7 for w in (weeks or f.weeks)]
    m = np.isin(_A["week"], week_idx)
    if measure == "unanswered":
        m &= (_A["kind"] == "message") & ~_A["answered"]
    elif measure.startswith("escalations_"):
        m &= (_A["kind"] == "message") & (_A["severity"] == measure.removeprefix("escalations_"))
    else:
        m &= _A["kind"] == _KIND[measure]
    for key, value in (
        ("council", council or f.local_authority),
        ("language", language or f.language),
    ):
        if value:
            m &= _A[key] == value
    for t in {topic, f.category} - {None}:
        # the universe only holds TOPICS: boxes of other topics are empty
        m &= _A[f"topic:{t}"] if t in TOPICS else False
    return m


def published_cells(summary: dict, f: Filters):
    """(box mask over ATOMS, published value, where) for every number in one summary."""
    out = []
    for m, v in summary["totals"].items():
        out.append((_mask(f, measure=m), v, f"totals.{m}"))
    for m, series in summary["activity"].items():
        for w, v in zip(summary["weeks"], series, strict=True):
            out.append((_mask(f, measure=m, weeks=[w]), v, f"activity.{m}.{w}"))
    for t in summary["topics"]:
        for w, v in zip(summary["weeks"], t["weekly"], strict=True):
            out.append((_mask(f, measure="messages", weeks=[w], topic=t["category"]), v, "topics"))
        out.append((_mask(f, measure="messages", topic=t["category"]), t["total"], "topics.total"))
    for r in summary["by_council"]:
        for m in ("messages", "unanswered"):
            out.append((_mask(f, measure=m, council=r["local_authority"]), r[m], "by_council"))
    for r in summary["by_language"]:
        for m in ("messages", "unanswered"):
            out.append((_mask(f, measure=m, language=r["language"]), r[m], "by_language"))
    for sev, v in summary["escalations"].items():
        out.append((_mask(f, measure=f"escalations_{sev}"), v, "escalations"))
    for r in summary["gaps"]["by_category"]:
        out.append((_mask(f, measure="unanswered", topic=r["category"]), r["unanswered"], "gaps"))
    for r in summary["gaps"]["by_language"]:
        out.append(
            (_mask(f, measure="unanswered", language=r["language"]), r["unanswered"], "gaps")
        )
    return out


def every_view(queries: AnalyticsQueries) -> list[tuple[Filters, dict]]:
    return [(f, queries.summary(f)) for f in all_filters()]


@dataclass
class Recovery:
    where: str
    true: int
    estimate: float


def linear_attack(views, truth: np.ndarray) -> tuple[list[Recovery], int, int]:
    """Try to recover every "<5" box from the numbers published in `views`.

    Returns (recoveries, hidden boxes, hidden boxes in the span of published boxes)."""
    known: dict[bytes, tuple[np.ndarray, int]] = {}
    hidden: dict[bytes, tuple[np.ndarray, str]] = {}
    for f, summary in views:
        for mask, value, where in published_cells(summary, f):
            if not mask.any():
                continue
            key = np.packbits(mask).tobytes()
            if value == SUPPRESSED:
                hidden[key] = (mask, where)
            else:
                known[key] = (mask, value)
    if not hidden:
        return [], 0, 0
    a = np.array([m for m, _ in known.values()], dtype=float)  # published boxes × atoms
    v = np.array([val for _, val in known.values()], dtype=float)
    h = np.array([m for m, _ in hidden.values()], dtype=float)  # hidden boxes × atoms
    # A hidden box h is determined when it lies in the row space of `a` (h = λa for some λ);
    # the attacker's estimate is then λv = h · pinv(a) v.
    # Row space of a = range of the Gram matrix aᵀa (atoms × atoms, small).
    eigval, eigvec = np.linalg.eigh(a.T @ a)
    keep = eigval > eigval.max() * 1e-9
    basis, eigval = eigvec[:, keep], eigval[keep]  # orthonormal basis of the row space
    residual = np.abs(h - (h @ basis) @ basis.T).max(axis=1)
    determined = residual < 1e-6
    # pinv(a) v = (aᵀa)⁺ aᵀ v
    estimates = h @ (basis @ ((basis.T @ (a.T @ v)) / eigval))
    recovered = []
    for i, (mask, where) in enumerate(hidden.values()):
        true = int(truth[mask].sum())
        if determined[i] and abs(estimates[i] - true) < 1e-6:
            recovered.append(Recovery(where, true, float(estimates[i])))
    return recovered, len(hidden), int(determined.sum())


def truth_vector(types: list[EventType]) -> np.ndarray:
    index = {t: i for i, t in enumerate(ATOMS)}
    x = np.zeros(len(ATOMS))
    for t in types:
        x[index[t]] += 1
    return x
