"""Privacy operations: a worker deletes their conversation; retention; the personal-data scan."""

from __future__ import annotations

import datetime as dt
import sqlite3

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from api.app import create_app
from assistant.cli import app as cli
from assistant.models import RedactedText, Severity, Verdict
from assistant.privacy_scan import PrivacyScanner, ScanReport
from assistant.retention import ConversationEraser
from assistant.storage.conversations import ConversationStore
from assistant.storage.models import AnalyticsEvent, Conversation, EscalationCase, Message, utcnow
from tests.production.conftest import light_components

NONE = Verdict(Severity.NONE)
URGENT = Verdict(Severity.URGENT, ("withheld_documents",), "lexicon")


def chat(store: ConversationStore, token: str | None, *texts: str, verdict=NONE):
    conv = store.open(token)
    for t in texts:
        store.record_user_message(conv, RedactedText(t), "en", "birmingham", verdict)
        store.record_assistant_message(conv, "curated answer", "en")
    return conv


def counts(sessions):
    with sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Conversation)),
            s.scalar(select(func.count()).select_from(Message)),
            s.scalar(select(func.count()).select_from(EscalationCase)),
        )


def test_delete_session_removes_the_conversation_and_only_it(settings):
    components = light_components(settings)
    store = ConversationStore(components.sessions)
    mine = chat(store, None, "my pay is late", "what can I do")
    other = chat(store, None, "housing question")
    with TestClient(create_app(settings, components=components)) as c:
        r = c.delete(f"/api/sessions/{mine.token}")
        assert r.status_code == 204
        assert c.delete(f"/api/sessions/{mine.token}").status_code == 404
        assert c.delete("/api/sessions/not-a-token").json()["error"]["code"] == "session_not_found"
    assert counts(components.sessions) == (1, 2, 0)
    assert store.open(mine.token).is_new  # the token opens nothing any more
    assert not store.open(other.token).is_new


def test_a_message_that_opened_a_case_stays_with_the_case_out_of_the_tokens_reach(settings):
    components = light_components(settings)
    store = ConversationStore(components.sessions)
    conv = chat(store, None, "hello")
    store.record_user_message(
        conv, RedactedText("my boss keeps my passport"), "en", "birmingham", URGENT
    )
    chat(store, conv.token, "one more thing")
    erasure = components.eraser.delete_session(conv.token)
    assert erasure.messages_kept_for_safeguarding == 1
    with components.sessions() as s:
        texts = s.scalars(select(Message.text)).all()
        case = s.scalars(select(EscalationCase)).one()
    assert texts == ["my boss keeps my passport"]
    assert case.conversation_id.startswith("erased-")
    assert store.open(conv.token).is_new
    assert components.eraser.delete_session(conv.token) is None


def test_the_chat_page_offers_the_delete_button_and_the_form_works(settings):
    components = light_components(settings)
    store = ConversationStore(components.sessions)
    conv = chat(store, None, "hello")
    with TestClient(create_app(settings, components=components)) as c:
        page = c.get("/?lang=en").text
        assert 'id="forget-form"' in page and 'action="/forget"' in page
        r = c.post("/forget", data={"session_id": conv.token, "lang": "en"})
    assert r.status_code == 200
    assert "Your conversation was deleted" in r.text
    assert counts(components.sessions)[0] == 0


def test_retention_deletes_old_conversations_and_cv_events(settings):
    components = light_components(settings)
    sessions = components.sessions
    store = ConversationStore(sessions)
    old = chat(store, None, "old question")
    old_case = chat(store, None, "they took my passport", verdict=URGENT)
    recent = chat(store, None, "new question")
    long_ago = utcnow() - dt.timedelta(days=400)
    with sessions.begin() as s:
        s.execute(
            update(Conversation)
            .where(Conversation.id.in_([old.id, old_case.id]))
            .values(updated_at=long_ago)
        )
        for hour, kind in ((long_ago, "cv_review"), (utcnow(), "cv_review"), (long_ago, "message")):
            s.add(AnalyticsEvent(kind=kind, hour=hour, categories=[]))
    report = ConversationEraser(sessions).run_retention(365)
    assert (report.conversations, report.messages, report.cv_events) == (2, 3, 1)
    assert report.messages_kept_for_safeguarding == 1
    assert store.open(old.token).is_new and store.open(old_case.token).is_new
    assert not store.open(recent.token).is_new
    with sessions() as s:
        kinds = sorted(s.scalars(select(AnalyticsEvent.kind)).all())
    assert kinds == ["cv_review", "message"]  # message events feed the weekly rollups
    # a second run finds nothing more, and keeps the case's message
    again = ConversationEraser(sessions).run_retention(365)
    assert (again.conversations, again.messages) == (0, 0)
    assert counts(sessions) == (2, 3, 1)


def test_retention_cli(settings, monkeypatch):
    components = light_components(settings)
    store = ConversationStore(components.sessions)
    conv = chat(store, None, "question")
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(settings.data_dir))
    r = CliRunner().invoke(cli, ["retention", "run", "--days", "0"])
    assert r.exit_code == 0, r.output
    assert "Deleted 1 conversations" in r.output
    assert store.open(conv.token).is_new


# --- the scan -------------------------------------------------------------------------------


def test_scanner_finds_emails_uk_phones_and_ninos_but_not_curated_helplines():
    scanner = PrivacyScanner()
    text = (
        "write to amira.k@gmail.com or call 07911 123456 / +44 121 496 0011; NI AB 12 34 56 C. "
        "Citizens Advice 0800 144 8848; Samaritans 116 123; example jo@example.com; "
        "not a NINO: ZZ123456A; a time 2026-12-01 18:56:02; <PHONE_NUMBER> <EMAIL_ADDRESS>"
    )
    kinds = sorted(k for k, _, _ in scanner.find(text))
    assert kinds == ["email", "nino", "uk_phone", "uk_phone"]


def test_privacy_scan_cli_exits_1_on_personal_data_in_the_database_or_logs(settings, monkeypatch):
    components = light_components(settings)
    chat(ConversationStore(components.sessions), None, "my pay is late <PHONE_NUMBER>")
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(settings.data_dir))
    clean = CliRunner().invoke(cli, ["privacy", "scan"])
    assert clean.exit_code == 0, clean.output
    assert "No personal data found" in clean.output

    log = settings.data_dir.parent / "server.log"
    log.write_text("INFO chat ok\nWARNING user said call me on 07911 123456\n")
    dirty = CliRunner().invoke(cli, ["privacy", "scan", "--logs", str(log)])
    assert dirty.exit_code == 1
    assert "uk_phone" in dirty.output and "07911 123456" not in dirty.output  # masked

    with components.sessions.begin() as s:
        s.add(
            Message(
                conversation_id=s.scalars(select(Conversation.id)).first(),
                role="user",
                text="email me at amira.k@gmail.com",
            )
        )
    db_hit = CliRunner().invoke(cli, ["privacy", "scan"])
    assert db_hit.exit_code == 1
    assert "db:messages.text#" in db_hit.output

    # leave nothing behind: CI scans every data folder the suite used
    log.unlink()
    components.eraser.run_retention(0, now=utcnow() + dt.timedelta(days=1))
    assert CliRunner().invoke(cli, ["privacy", "scan"]).exit_code == 0


def test_the_scan_sees_deleted_text_left_in_sqlite_pages(tmp_path):
    """Raw bytes are read too: what a DELETE leaves in free pages or the WAL is found."""
    db = tmp_path / "x.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA secure_delete=OFF")  # what an unconfigured SQLite does
    con.execute("CREATE TABLE t (x TEXT)")
    con.execute("INSERT INTO t VALUES ('call 07911 123456')")
    con.commit()
    con.execute("DELETE FROM t")
    con.commit()
    con.close()
    report = ScanReport()
    PrivacyScanner().scan_path(tmp_path, report)
    db.unlink()  # CI scans every database the suite leaves behind
    assert [h.kind for h in report.hits] == ["uk_phone"]


def test_erasure_leaves_no_trace_in_the_database_file(settings):
    """secure_delete: a deleted conversation's text is overwritten, not left in free pages."""
    components = light_components(settings)
    store = ConversationStore(components.sessions)
    conv = chat(store, None, "zebra-marker-" + "q" * 200)
    components.eraser.delete_session(conv.token)
    with components.sessions() as s:
        s.execute(select(1))
    raw = b"".join(p.read_bytes() for p in settings.data_dir.glob("harbour.db*"))
    assert b"zebra-marker-" not in raw
