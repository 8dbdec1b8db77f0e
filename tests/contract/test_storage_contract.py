"""One storage contract, run against SQLite and PostgreSQL: conversations, cases, the case
trail, analytics, rate-limit counters and erasure must behave the same on both."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from assistant.analytics.events import SqlAnalyticsSink
from assistant.analytics.queries import AnalyticsQueries
from assistant.models import RedactedText, Severity, Verdict
from assistant.ratelimit import SqlLimitsStorage
from assistant.retention import ConversationEraser
from assistant.safeguarding.cases import CaseService
from assistant.safeguarding.contacts import ContactCipher
from assistant.staff import StaffDirectory
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import init_db, make_engine, session_factory
from assistant.storage.models import CaseEvent, EscalationCase, Message, utcnow

URGENT = Verdict(Severity.URGENT, ("withheld_documents", "debt_bondage"), "lexicon+semantic")
NONE = Verdict(Severity.NONE)


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url)
    init_db(engine)
    yield session_factory(engine)
    engine.dispose()


def test_a_message_and_its_case_are_stored_together_and_retries_are_idempotent(sessions):
    store = ConversationStore(sessions)
    conv = store.open(None)
    first = store.record_user_message(
        conv, RedactedText("boss keeps my passport"), "en", "sandwell", URGENT, "m-1"
    )
    retry = store.record_user_message(
        conv, RedactedText("boss keeps my passport"), "en", "sandwell", URGENT, "m-1"
    )
    assert first.case_id is not None and not first.duplicate
    assert retry == type(retry)(first.message_id, first.case_id, True, ())
    case = store.get_case(first.case_id)
    assert case.indicators == ["withheld_documents", "debt_bondage"]  # JSON round trip
    assert case.local_authority == "sandwell" and case.status == "new"
    again = store.open(conv.token)
    assert (again.is_new, again.language, again.local_authority) == (False, "en", "sandwell")


def test_recent_messages_come_back_oldest_first(sessions):
    store = ConversationStore(sessions)
    conv = store.open(None)
    turns = []
    for t in ("one", "two", "three"):
        turns.append(store.record_user_message(conv, RedactedText(t), "en", None, NONE, t))
        store.record_assistant_message(conv, f"answer {t}", "en")
    assert [r.text for r in store.recent_user_messages(conv, limit=2)] == ["two", "three"]
    # each turn carries the user messages before it, read in the same transaction
    assert [[r.text for r in turn.history] for turn in turns] == [[], ["one"], ["one", "two"]]
    retry = store.record_user_message(conv, RedactedText("two"), "en", None, NONE, "two")
    assert retry.duplicate and [r.text for r in retry.history] == ["one"]


def test_the_case_trail_is_append_only(sessions):
    store = ConversationStore(sessions)
    turn = store.record_user_message(
        store.open(None), RedactedText("help"), "en", "walsall", URGENT
    )
    lead = StaffDirectory(sessions).create(
        "c.lead", "safeguarding_lead", "pw-long-enough-1", ("regional",)
    )
    cases = CaseService(sessions, ContactCipher(["k" * 32]))
    cases.acknowledge(lead, turn.case_id, note="called back")
    with sessions() as s:
        assert s.scalar(select(EscalationCase.status).where(EscalationCase.id == turn.case_id)) == (
            "acknowledged"
        )
        assert s.scalar(select(func.count()).select_from(CaseEvent)) >= 1
    for sql in ("UPDATE case_events SET actor = 'x'", "DELETE FROM case_events"):
        with pytest.raises(DBAPIError, match="append-only"), sessions.begin() as s:
            s.execute(text(sql))


def test_analytics_count_the_same(sessions):
    sink = SqlAnalyticsSink(sessions)
    for i in range(12):
        sink.record(
            categories=["housing", "employment_rights"] if i % 2 else ["housing"],
            language="hi",
            local_authority="dudley",
            escalated=i == 0,
            severity="urgent" if i == 0 else "none",
            answered=i % 3 != 0,
            opens_conversation=True,
        )
    from assistant.analytics.queries import Filters

    today = dt.date.today()
    summary = AnalyticsQueries(sessions).summary(
        Filters.parse((today - dt.timedelta(days=14)).isoformat(), today.isoformat())
    )
    assert "housing" in str(summary)


def test_rate_limit_counters_are_atomic_and_expire(sessions):
    now = [1000.0]
    storage = SqlLimitsStorage(sessions, clock=lambda: now[0])
    assert storage.incr("k", 60) == 1
    assert storage.incr("k", 60, amount=2) == 3
    assert storage.get("k") == 3 and storage.get_expiry("k") == 1060.0
    now[0] = 1061.0  # the window has ended
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == 1121.0
    assert storage.purge_expired() == 0
    now[0] = 2000.0
    assert storage.purge_expired() == 1

    # eight workers' threads hitting one key: no increment is lost
    results: list[int] = []

    def hammer():
        for _ in range(25):
            results.append(storage.incr("shared", 60))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert storage.get("shared") == 200
    assert sorted(results) == list(range(1, 201))


def test_erasure_and_retention_behave_the_same(sessions):
    store = ConversationStore(sessions)
    plain = store.open(None)
    store.record_user_message(plain, RedactedText("hello"), "en", None, NONE)
    with_case = store.open(None)
    store.record_user_message(with_case, RedactedText("hi"), "en", None, NONE)
    store.record_user_message(with_case, RedactedText("passport taken"), "en", None, URGENT)
    eraser = ConversationEraser(sessions)
    assert eraser.delete_session(plain.token).messages_deleted == 1
    e = eraser.delete_session(with_case.token)
    assert (e.messages_deleted, e.messages_kept_for_safeguarding) == (1, 1)
    with sessions() as s:
        assert s.scalars(select(Message.text)).all() == ["passport taken"]
    later = eraser.run_retention(0, now=utcnow() + dt.timedelta(days=1))
    assert later.conversations == 0  # the re-keyed conversation is not deleted again
