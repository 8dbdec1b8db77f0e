"""Property tests: no count 1–4 is ever published, and no hidden count can be recovered.

Random event sets over a small universe (3 weeks, 2 councils + unknown, 2 languages + unknown,
2 topics) are published through every filter combination (6 date ranges × 5 councils ×
4 languages × 3 topics = 360 views). Two attackers then try to recover hidden cells:

- `linear_attack` (tests/analytics/attack.py): totals minus visible parts, differences of
  filtered views, and any linear combination of published numbers;
- indistinguishability: changing a hidden cell's true value (one more or one fewer event of a
  type whose every rollup cell stays within 1–4) must leave every published number unchanged,
  so no method at all (integer reasoning included) can tell the two databases apart.

A naive publisher (primary suppression only) is run through the same attacker to show it bites.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import HealthCheck, event, given, settings, target
from hypothesis import strategies as st
from sqlalchemy import func, insert

from assistant.analytics import queries as queries_module
from assistant.analytics.queries import AnalyticsQueries, summary_csv
from assistant.analytics.rollups import cells_for, rebuild_rollups
from assistant.analytics.suppression import SUPPRESSED, Cell, is_publishable
from assistant.storage.models import AnalyticsEvent
from assistant.storage.models import AnalyticsRollup as R
from tests.analytics.attack import (
    ATOMS,
    EventType,
    all_filters,
    every_view,
    linear_attack,
    truth_vector,
)
from tests.analytics.conftest import memory_sessions

# Types clustered in a few places so that counts land on both sides of 5.
event_sets = st.lists(
    st.tuples(st.sampled_from(ATOMS), st.integers(min_value=1, max_value=7)),
    min_size=1,
    max_size=25,
).map(lambda pairs: [t for t, n in pairs for _ in range(n)])


def publish(types: list[EventType]):
    sessions = memory_sessions()
    with sessions.begin() as s:
        s.execute(insert(AnalyticsEvent), [t.row(hour=i) for i, t in enumerate(types)])
    rebuild_rollups(sessions)
    return sessions, every_view(AnalyticsQueries(sessions))


def walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
    else:
        yield value


def published_numbers(summary: dict):
    skip = {"filters", "weeks", "suppression"}
    for key, part in summary.items():
        if key in skip:
            continue
        for v in walk(part):
            if isinstance(v, int) or v == SUPPRESSED:
                yield v


def rollup_counts(types: list[EventType]) -> Counter:
    return Counter(k for t in types for k in cells_for(**t.row()))


# Each example publishes 360 views (about 1–2 s on 2 cores): few examples, each thorough.
PROPERTY = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(types=event_sets)
def test_no_count_from_1_to_4_is_ever_published_and_none_is_recovered(types):
    _, views = publish(types)
    for f, summary in views:
        bad = [v for v in published_numbers(summary) if not is_publishable(v)]
        assert not bad, (f, bad)
        rows = list(csv.DictReader(io.StringIO(summary_csv(summary))))
        assert rows
        for row in rows:
            c = row["count"]
            assert c == SUPPRESSED or int(c) == 0 or int(c) >= 5, (f, row)
    recovered, n_hidden, n_determined = linear_attack(views, truth_vector(types))
    # steer the search towards data where the attacker can express many hidden boxes
    target(float(n_determined), label="hidden boxes in the span of published ones")
    event(f"hidden boxes: {'some' if n_hidden else 'none'}")
    assert not recovered, recovered[:5]


@PROPERTY
@given(types=event_sets, data=st.data())
def test_changing_a_hidden_cell_changes_nothing_that_is_published(types, data):
    counts = rollup_counts(types)

    def stays_hidden(t: EventType, delta: int) -> bool:
        # every rollup cell the event touches is small before and after the change
        return all(
            1 <= counts[k] <= 4 and 1 <= counts[k] + delta <= 4 for k in cells_for(**t.row())
        )

    candidates = [(t, +1) for t in set(types) if stays_hidden(t, +1)]
    candidates += [(t, -1) for t in set(types) if stays_hidden(t, -1)]
    if not candidates:
        return
    t, delta = data.draw(st.sampled_from(sorted(candidates, key=repr)))
    assert differing_views(types, t, delta) == []


def differing_views(types: list[EventType], t: EventType, delta: int) -> list:
    changed = list(types)
    if delta > 0:
        changed.append(t)
    else:
        changed.remove(t)
    _, before = publish(types)
    _, after = publish(changed)
    return [f for (f, a), (_, b) in zip(before, after, strict=True) if a != b]


def test_a_group_that_reaches_5_is_published():
    """The boundary the indistinguishability test stays inside: 4 is hidden, 5 is shown."""
    t = EventType(1, "coventry", "hi", "message", frozenset({"money"}), True, "none")
    assert differing_views([t] * 5, t, -1)


def test_one_shared_box_is_always_published_with_the_same_value():
    """Birmingham's messages are the same number as a council row and as a filtered total."""
    types = [EventType(0, "birmingham", lang, "message", frozenset({"housing"}), True, "none")
             for lang, n in (("en", 9), ("hi", 3), (None, 6)) for _ in range(n)]  # fmt: skip
    _, views = publish(types)
    seen: dict[tuple, set] = {}
    for f, summary in views:
        if f.local_authority == "birmingham":
            seen.setdefault((f.weeks[0], f.weeks[-1], f.language, f.category), set()).add(
                summary["totals"]["messages"]
            )
        if f.local_authority is None:
            row = next(r for r in summary["by_council"] if r["local_authority"] == "birmingham")
            seen.setdefault((f.weeks[0], f.weeks[-1], f.language, f.category), set()).add(
                row["messages"]
            )
    assert seen and all(len(values) == 1 for values in seen.values()), seen


# --- the attacker bites a publisher without secondary suppression -------------------------


@pytest.fixture
def naive_publisher(monkeypatch):
    """Primary suppression only: true totals, and 1–4 shown as "<5"."""

    def publish_true(self):
        return SUPPRESSED if 1 <= self.shown <= 4 else self.shown

    monkeypatch.setattr(queries_module, "shown_sum", lambda n: func.sum(n))
    monkeypatch.setattr(Cell, "publish", publish_true)


def test_the_attacker_recovers_cells_from_a_naive_publisher(naive_publisher):
    # Birmingham, week 0: 9 English messages and 3 Hindi ones. A naive total says 12, the
    # English row 9, so Hindi = 3 — exactly what the attacker must find.
    types = [EventType(0, "birmingham", "en", "message", frozenset(), True, "none")] * 9 + [
        EventType(0, "birmingham", "hi", "message", frozenset(), True, "none")
    ] * 3
    _, views = publish(types)
    recovered, _, _ = linear_attack(views, truth_vector(types))
    assert any(r.true == 3 for r in recovered), recovered


def test_a_naive_publisher_lets_a_hidden_change_show(naive_publisher):
    hindi = EventType(0, "birmingham", "hi", "message", frozenset(), True, "none")
    types = [EventType(0, "birmingham", "en", "message", frozenset(), True, "none")] * 9
    types += [hindi] * 3
    assert differing_views(types, hindi, +1)  # 3 → 4 Hindi messages moves the naive total


def test_the_same_data_resists_the_attacker_with_real_suppression():
    types = [EventType(0, "birmingham", "en", "message", frozenset(), True, "none")] * 9 + [
        EventType(0, "birmingham", "hi", "message", frozenset(), True, "none")
    ] * 3
    _, views = publish(types)
    recovered, n_hidden, n_determined = linear_attack(views, truth_vector(types))
    # the Hindi box is total minus English: the attacker can express it, and still gets 0
    assert n_hidden > 0 and n_determined > 0 and not recovered
    week0 = next(
        s
        for f, s in views
        if f.weeks == [f.weeks[0]] and f.weeks[0] == "2026-03-02" and f.local_authority ==
        "birmingham" and f.language is None and f.category is None
    )  # fmt: skip
    assert week0["totals"]["messages"] == 9  # the 3 are left out of the total, not exposed
    hindi = next(r for r in week0["by_language"] if r["language"] == "hi")
    assert hindi["messages"] == SUPPRESSED


def test_rollups_from_the_sink_match_a_rebuild(sessions):
    from assistant.analytics.events import SqlAnalyticsSink

    sink = SqlAnalyticsSink(sessions)
    for i in range(7):
        sink.record(
            categories=["housing", "money"][: i % 3],
            language=["en", "hi", "fr", None][i % 4],
            local_authority=["birmingham", None, "atlantis"][i % 3],
            escalated=i == 3,
            severity="high" if i == 3 else "none",
            answered=i % 2 == 0,
            opens_conversation=i % 3 == 0,
        )
    with sessions() as s:
        live = sorted(tuple(r) for r in s.query(R.category, R.measure, R.week, R.local_authority,
                                                R.language, R.n))  # fmt: skip
    rebuild_rollups(sessions)
    with sessions() as s:
        rebuilt = sorted(tuple(r) for r in s.query(R.category, R.measure, R.week,
                                                   R.local_authority, R.language, R.n))  # fmt: skip
    assert live == rebuilt
    assert {r[3] for r in live} == {"birmingham", "unknown"}  # unknown slugs are not kept
    assert {r[4] for r in live} == {"en", "hi", "other", "unknown"}
    assert ("*", "conversations") in {(r[0], r[1]) for r in live}


def test_filter_combinations_cover_every_view():
    assert len(all_filters()) == 6 * 5 * 4 * 3
