"""Realistic synthetic analytics events for a demo database (`harbour analytics seed`).

Conversations arrive at a rate that ramps up over the weeks (as sponsor-licence revocations
spread); each has a council and language drawn from the West Midlands care workforce, 1–9
messages about a few related topics, sometimes a CV review, a gap rate that is higher for
languages and topics with less curated guidance, and rare escalations. No text is generated.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from assistant.analytics.rollups import rebuild_rollups
from assistant.storage.models import AnalyticsEvent

COUNCIL_WEIGHTS = {
    "birmingham": 30, "coventry": 9, "dudley": 7, "herefordshire": 3, "sandwell": 7,
    "shropshire": 5, "solihull": 4, "staffordshire": 10, "stoke-on-trent": 6,
    "telford-and-wrekin": 4, "walsall": 6, "warwickshire": 7, "wolverhampton": 6,
    "worcestershire": 6, None: 8,
}  # fmt: skip
LANGUAGE_WEIGHTS = {
    "en": 22, "ml": 16, "hi": 12, "tl": 7, "pa": 6, "ur": 6, "gu": 5, "ta": 5, "ne": 5,
    "bn": 4, "yo": 4, "sn": 4, "sw": 3, "fr": 1,
}  # fmt: skip
TOPIC_WEIGHTS = {
    "visa_immigration": 30, "employment_rights": 18, "finding_work": 16, "housing": 9,
    "money": 8, "health_wellbeing": 5, "english_training": 4, "family": 4, "legal_advice": 3,
    "safeguarding": 3, "community": 2, "transport_driving": 2,
}  # fmt: skip
# chance that a message finds no good-enough guidance
GAP_BY_LANGUAGE = {"en": 0.08, "yo": 0.3, "sn": 0.3, "sw": 0.25, "fr": 0.6}
GAP_BY_TOPIC = {"transport_driving": 0.35, "family": 0.25, "legal_advice": 0.2, "community": 0.2}


def _pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def synthetic_events(
    n: int, *, weeks: int = 26, end: dt.datetime | None = None, seed: int = 0
) -> list[dict]:
    """About `n` event rows (conversations, messages and CV reviews) over the last `weeks`."""
    rng = random.Random(seed)
    end = (end or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(
        minute=0, second=0, microsecond=0
    )
    start = end - dt.timedelta(weeks=weeks)
    span_hours = int((end - start).total_seconds() // 3600)
    rows: list[dict] = []
    while len(rows) < n:
        # ramp: later hours are likelier (density grows linearly), daytime hours more so
        offset = int(span_hours * (rng.random() ** 0.6))
        hour = start + dt.timedelta(hours=offset)
        if hour.hour < 7 and rng.random() < 0.7:
            hour = hour.replace(hour=rng.randint(8, 21))
        council = _pick(rng, COUNCIL_WEIGHTS)
        language = _pick(rng, LANGUAGE_WEIGHTS)
        main_topic = _pick(rng, TOPIC_WEIGHTS)
        base = {"hour": hour, "language": language, "local_authority": council}
        first = True
        for i in range(rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 9))):
            when = min(hour + dt.timedelta(hours=i // 3), end)
            topics = {main_topic} if rng.random() < 0.7 else {_pick(rng, TOPIC_WEIGHTS)}
            if rng.random() < 0.2:
                topics.add(_pick(rng, TOPIC_WEIGHTS))
            if rng.random() < 0.08:
                topics = set()
            topic_gaps = (GAP_BY_TOPIC.get(t, 0) for t in topics)
            gap = max([GAP_BY_LANGUAGE.get(language, 0.12), *topic_gaps])
            esc = 0.04 if topics & {"safeguarding", "employment_rights"} else 0.004
            escalated = rng.random() < esc
            severity = ("urgent" if rng.random() < 0.2 else "high") if escalated else "none"
            if first:
                rows.append({**base, "kind": "conversation", "categories": sorted(topics),
                             "escalated": False, "severity": "none", "answered": True})  # fmt: skip
                first = False
            rows.append({**base, "hour": when, "kind": "message", "categories": sorted(topics),
                         "escalated": escalated, "severity": severity,
                         "answered": rng.random() >= gap})  # fmt: skip
        if rng.random() < 0.06:
            rows.append({**base, "kind": "cv_review", "categories": [], "escalated": False,
                         "severity": "none", "answered": True})  # fmt: skip
    return rows[:n]


def seed_events(
    sessions: sessionmaker[Session], n: int, *, weeks: int = 26, seed: int = 0,
    end: dt.datetime | None = None, batch: int = 20_000,
) -> int:  # fmt: skip
    """Insert about `n` synthetic events, then rebuild the rollups; returns the rows inserted."""
    rows = synthetic_events(n, weeks=weeks, end=end, seed=seed)
    for start in range(0, len(rows), batch):
        with sessions.begin() as s:
            s.execute(insert(AnalyticsEvent), rows[start : start + batch])
    rebuild_rollups(sessions)
    return len(rows)
