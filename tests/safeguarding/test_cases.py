"""The case workflow on a real SQLite database (no models needed)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest
from sqlalchemy.exc import DBAPIError

from assistant.errors import InvalidInput
from assistant.models import RedactedText, Severity, Verdict
from assistant.safeguarding.cases import (
    CaseNotFound,
    CaseService,
    InvalidTransition,
    NoOpenCase,
    acknowledge_by,
)
from assistant.safeguarding.contacts import ContactCipher, normalise_contact
from assistant.staff import StaffUser
from assistant.storage import models as m
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import init_db, make_engine, session_factory

BHAM = StaffUser(1, "lead.bham", "safeguarding_lead", ("birmingham",))
COV = StaffUser(2, "lead.cov", "safeguarding_lead", ("coventry",))
REGIONAL = StaffUser(3, "lead.region", "safeguarding_lead", ("regional",))
PROGRAMME = StaffUser(4, "prog", "programme", ())
URGENT = Verdict(Severity.URGENT, ("immediate_danger",), "lexicon")
HIGH = Verdict(Severity.HIGH, ("withheld_documents",), "lexicon")


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 10, 9, 0)  # a Tuesday, UTC

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    init_db(engine)
    return session_factory(engine), tmp_path / "h.db"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cases(db, clock):
    return CaseService(db[0], ContactCipher(["a test key, not a Fernet key"]), 30, clock=clock)


@pytest.fixture
def store(db):
    return ConversationStore(db[0])


def open_case(store, council, verdict=URGENT, text="my boss took my passport"):
    conv = store.open(None)
    turn = store.record_user_message(conv, RedactedText(text), "en", council, verdict, "m-1")
    return conv, turn.case_id


def test_full_workflow_with_audit_trail(cases, store, clock):
    _, case_id = open_case(store, "birmingham")
    assert cases.get(BHAM, case_id).case.status == "new"
    with pytest.raises(InvalidTransition):
        cases.refer(BHAM, case_id, "police", "")  # must be acknowledged first
    with pytest.raises(InvalidTransition):
        cases.close(BHAM, case_id, "done")
    clock.now += dt.timedelta(minutes=10)
    acknowledged_at = clock.now
    cases.acknowledge(BHAM, case_id)
    with pytest.raises(InvalidTransition):
        cases.acknowledge(BHAM, case_id)
    cases.add_note(BHAM, case_id, "Called the worker back, safe for now.")
    cases.refer(BHAM, case_id, "modern_slavery_helpline", "Referred with consent")
    cases.refer(BHAM, case_id, "nrm_first_responder", "")
    with pytest.raises(InvalidInput):
        cases.refer(BHAM, case_id, "the moon", "")
    with pytest.raises(InvalidInput):
        cases.refer(BHAM, case_id, "other", "")  # "other" must say who
    with pytest.raises(InvalidInput):
        cases.close(BHAM, case_id, "   ")
    cases.close(BHAM, case_id, "Worker moved to safe housing")
    with pytest.raises(InvalidTransition):
        cases.acknowledge(BHAM, case_id)
    cases.add_note(BHAM, case_id, "Notes are allowed at any point, even after closing.")
    detail = cases.get(BHAM, case_id)
    assert detail.case.status == "closed"
    actions = [(e.actor, e.action, e.detail.get("to")) for e in detail.events]
    assert [a for a in actions if a[1] != "viewed"] == [
        ("lead.bham", "acknowledged", None),
        ("lead.bham", "note", None),
        ("lead.bham", "referred", "modern_slavery_helpline"),
        ("lead.bham", "referred", "nrm_first_responder"),
        ("lead.bham", "closed", None),
        ("lead.bham", "note", None),
    ]
    assert detail.acknowledged_at == acknowledged_at
    assert [e.text for e in detail.events if e.action == "closed"] == [
        "Worker moved to safe housing"
    ]
    assert detail.messages[0].text == "my boss took my passport" and detail.messages[0].role == "user"


def test_audit_trail_is_append_only(cases, store, db):
    _, case_id = open_case(store, "birmingham")
    cases.acknowledge(BHAM, case_id, "on it")
    sessions, path = db
    with sessions.begin() as s, pytest.raises(DBAPIError, match="append-only"):
        s.query(m.CaseEvent).update({"text": "rewritten"})
    with sessions.begin() as s, pytest.raises(DBAPIError, match="append-only"):
        s.query(m.CaseEvent).delete()
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM case_events")
    con.close()
    assert [e.text for e in cases.get(BHAM, case_id).events if e.action == "acknowledged"] == [
        "on it"
    ]


def test_two_leads_acknowledging_at_once_only_one_wins(cases, store):
    _, case_id = open_case(store, "coventry")
    lead2 = StaffUser(9, "lead.cov2", "safeguarding_lead", ("coventry",))
    results: list[str] = []
    barrier = threading.Barrier(2)

    def go(user):
        barrier.wait()
        try:
            cases.acknowledge(user, case_id)
            results.append("ok")
        except InvalidTransition:
            results.append("conflict")

    threads = [threading.Thread(target=go, args=(u,)) for u in (COV, lead2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    acks = [e for e in cases.get(COV, case_id).events if e.action == "acknowledged"]
    assert len(acks) == 1


def test_routing_and_scope(cases, store):
    _, bham = open_case(store, "birmingham")
    _, cov = open_case(store, "coventry")
    _, unknown = open_case(store, None)
    assert [c.id for c in cases.list(BHAM)] == [bham]
    assert [c.id for c in cases.list(COV)] == [cov]
    regional = cases.list(REGIONAL)
    assert {c.id for c in regional} == {bham, cov, unknown}
    assert next(c for c in regional if c.id == unknown).local_authority == "regional"
    assert cases.list(PROGRAMME) == []
    for user, case_id in ((BHAM, cov), (COV, bham), (BHAM, unknown), (PROGRAMME, bham)):
        with pytest.raises(CaseNotFound):
            cases.get(user, case_id)
        with pytest.raises(CaseNotFound):
            cases.acknowledge(user, case_id)
        with pytest.raises(CaseNotFound):
            cases.add_note(user, case_id, "peek")


def test_newest_urgent_first_and_filters(cases, store, clock):
    _, high_old = open_case(store, "dudley", HIGH)
    _, urgent_old = open_case(store, "dudley", URGENT)
    _, high_new = open_case(store, "dudley", HIGH)
    _, urgent_new = open_case(store, "dudley", URGENT)
    lead = StaffUser(5, "lead.dudley", "safeguarding_lead", ("dudley",))
    assert [c.id for c in cases.list(lead)] == [urgent_new, urgent_old, high_new, high_old]
    assert [c.id for c in cases.list(lead, severity="high")] == [high_new, high_old]
    cases.acknowledge(lead, urgent_new)
    assert [c.id for c in cases.list(lead, status="new", severity="urgent")] == [urgent_old]
    cases.close(lead, urgent_new, "false alarm")
    assert urgent_new not in [c.id for c in cases.list(lead, status="open")]
    assert [c.id for c in cases.list(lead, status="closed")] == [urgent_new]
    assert cases.list(lead, local_authority="birmingham") == []


def test_response_targets_and_overdue(cases, store, clock, db):
    tue = dt.datetime(2026, 3, 10, 9, 0)
    assert acknowledge_by(tue, "urgent") == tue + dt.timedelta(hours=1)
    assert acknowledge_by(tue, "high") == dt.datetime(2026, 3, 11, 9, 0)
    fri = dt.datetime(2026, 3, 13, 15, 30)
    assert acknowledge_by(fri, "high") == dt.datetime(2026, 3, 16, 15, 30)  # Monday
    # Thursday before Easter 2026 (Good Friday 3 April, Easter Monday 6 April): due Tuesday
    assert acknowledge_by(dt.datetime(2026, 4, 2, 10, 0), "high").date() == dt.date(2026, 4, 7)
    # across the clocks going forward (29 March 2026), the same London time next working day
    sat = dt.datetime(2026, 3, 28, 12, 0)  # 12:00 GMT
    assert acknowledge_by(sat, "high") == dt.datetime(2026, 3, 30, 11, 0)  # 12:00 BST Monday

    clock.now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    _, urgent = open_case(store, "birmingham", URGENT)
    _, high = open_case(store, "birmingham", HIGH)
    by_id = {c.id: c for c in cases.list(BHAM)}
    assert not by_id[urgent].overdue and not by_id[high].overdue
    clock.now += dt.timedelta(hours=1, minutes=1)
    by_id = {c.id: c for c in cases.list(BHAM)}
    assert by_id[urgent].overdue and not by_id[high].overdue
    cases.acknowledge(BHAM, urgent)
    assert not {c.id: c for c in cases.list(BHAM)}[urgent].overdue  # acknowledged, late or not


def test_contact_details_are_encrypted_shown_to_leads_and_erased_after_retention(
    cases, store, clock, db
):
    conv, case_id = open_case(store, "birmingham")
    with pytest.raises(InvalidInput):
        cases.attach_contact(conv.token, "07700 900123", consent=False)
    with pytest.raises(InvalidInput):
        cases.attach_contact(conv.token, "call me maybe", consent=True)
    with pytest.raises(NoOpenCase):
        cases.attach_contact("not-a-session", "07700 900123", consent=True)
    assert cases.attach_contact(conv.token, "07700 900123", consent=True) == case_id
    _, path = db
    wal = path.with_name(path.name + "-wal")
    raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"07700900123" not in raw and b"07700 900123" not in raw
    contact = cases.get(BHAM, case_id).contacts[0]
    assert (contact.kind, contact.value) == ("phone", "07700900123")
    with pytest.raises(CaseNotFound):
        cases.get(COV, case_id)
    # a different key cannot read it
    other = CaseService(db[0], ContactCipher(["another key"]), clock=clock)
    assert other.get(BHAM, case_id).contacts[0].value is None

    cases.acknowledge(BHAM, case_id)
    assert cases.erase_expired_contacts() == 0  # open cases keep it
    cases.close(BHAM, case_id, "resolved")
    clock.now += dt.timedelta(days=29)
    assert cases.erase_expired_contacts() == 0
    assert cases.get(BHAM, case_id).contacts[0].value == "07700900123"
    clock.now += dt.timedelta(days=2)
    assert cases.erase_expired_contacts() == 1
    detail = cases.get(BHAM, case_id)
    assert detail.contacts[0].value is None
    assert any(e.action == "contact_erased" and e.actor == "system" for e in detail.events)
    with db[0]() as s:
        assert s.query(m.CaseContact).one().ciphertext is None
    # a closed case takes no more contact details
    with pytest.raises(NoOpenCase):
        cases.attach_contact(conv.token, "worker@example.org", consent=True)


def test_key_rotation_reads_old_contacts(cases, store, db, clock):
    conv, case_id = open_case(store, "birmingham")
    cases.attach_contact(conv.token, "worker@example.org", consent=True)
    rotated = CaseService(
        db[0], ContactCipher(["a brand new key", "a test key, not a Fernet key"]), clock=clock
    )
    assert rotated.get(BHAM, case_id).contacts[0].value == "worker@example.org"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("07700 900123", ("phone", "07700900123")),
        ("+44 7700 900123", ("phone", "+447700900123")),
        ("a.worker@example.org", ("email", "a.worker@example.org")),
    ],
)
def test_normalise_contact(value, expected):
    assert normalise_contact(value) == expected


@pytest.mark.parametrize(
    "value", ["", "12345", "not an email@", "<script>@example.org", "a@b@c.org", "1" * 30]
)
def test_normalise_contact_refuses(value):
    with pytest.raises(InvalidInput) as err:
        normalise_contact(value)
    assert value not in err.value.message or not value
