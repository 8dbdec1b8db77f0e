"""`harbour backup` / `harbour restore`: a restored copy serves the same cases and analytics."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from assistant.analytics.events import SqlAnalyticsSink
from assistant.cli import app as cli
from assistant.models import RedactedText, Severity, Verdict
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from tests.auth_helpers import bearer, create_staff
from tests.production.conftest import light_components

URGENT = Verdict(Severity.URGENT, ("withheld_documents",), "lexicon")
HIGH = Verdict(Severity.HIGH, ("unpaid_wages",), "lexicon")


def seed(components) -> None:
    store = ConversationStore(components.sessions)
    sink = SqlAnalyticsSink(components.sessions)
    for i in range(14):
        conv = store.open(None)
        verdict = URGENT if i % 5 == 0 else HIGH if i % 7 == 0 else Verdict(Severity.NONE)
        council = ("birmingham", "coventry")[i % 2]
        store.record_user_message(conv, RedactedText(f"question {i}"), "en", council, verdict)
        sink.record(
            categories=["employment_rights"] if i % 3 else ["housing"],
            language=("en", "hi")[i % 2],
            local_authority=council,
            escalated=verdict.escalate,
            severity=verdict.severity.value,
            answered=True,
            opens_conversation=True,
        )
    create_staff(components, "bk.lead", "safeguarding_lead", ["regional"])
    create_staff(components, "bk.prog", "programme")


def served(settings: Settings) -> dict:
    components = light_components(settings)
    with TestClient(create_app(settings, components=components)) as c:
        lead, prog = bearer(c, "bk.lead"), bearer(c, "bk.prog")
        cases = c.get("/api/escalations", headers=lead)
        summary = c.get("/api/analytics/summary", headers=prog)
        assert cases.status_code == 200 and summary.status_code == 200
        first = c.get(f"/api/escalations/{cases.json()[0]['id']}", headers=lead)
        return {"cases": cases.json(), "case": first.json(), "summary": summary.json()}


def test_a_restored_copy_serves_the_same_cases_and_analytics(tmp_path, monkeypatch):
    live = Settings(data_dir=tmp_path / "live", environment="test")
    seed(light_components(live))
    before = served(live)
    assert len(before["cases"]) == 4  # i = 0, 5, 10 urgent; 7 high

    monkeypatch.setenv("HARBOUR_DATA_DIR", str(live.data_dir))
    backup_file = tmp_path / "backups" / "harbour-2026-12-01.db"
    r = CliRunner().invoke(cli, ["backup", str(backup_file)])
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "backups" / "harbour-2026-12-01.db-wal").exists()  # one file

    # a new machine: empty data folder, restore, serve
    fresh = Settings(data_dir=tmp_path / "fresh", environment="test")
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(fresh.data_dir))
    r = CliRunner().invoke(cli, ["restore", str(backup_file)])
    assert r.exit_code == 0, r.output
    after = served(fresh)
    # the case detail records who viewed it; the rest must match exactly
    assert after["cases"] == before["cases"]
    assert after["summary"] == before["summary"]
    assert after["case"]["severity"] == before["case"]["severity"]


def test_restore_over_a_changed_database_brings_back_the_backup(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "d", environment="test")
    components = light_components(settings)
    seed(components)
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(settings.data_dir))
    assert CliRunner().invoke(cli, ["backup", str(tmp_path / "b.db")]).exit_code == 0
    before = served(settings)
    components.eraser.run_retention(0)  # everything deleted after the backup
    assert served(settings)["summary"] == before["summary"]  # rollups are not conversations
    with components.sessions() as s:
        from sqlalchemy import func, select

        from assistant.storage.models import Message

        assert s.scalar(select(func.count()).select_from(Message)) == 4  # kept with the cases
    assert CliRunner().invoke(cli, ["restore", str(tmp_path / "b.db")]).exit_code == 0
    con = sqlite3.connect(settings.data_dir / "harbour.db")
    assert con.execute("SELECT count(*) FROM messages").fetchone()[0] == 14
    con.close()


@pytest.mark.parametrize("bad", ["not-sqlite", "other-sqlite"])
def test_restore_refuses_what_is_not_a_harbour_backup(tmp_path, monkeypatch, bad):
    path = tmp_path / "x.db"
    if bad == "not-sqlite":
        path.write_bytes(b"hello" * 100)
    else:
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE t (x)")
        con.close()
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(tmp_path / "d"))
    r = CliRunner().invoke(cli, ["restore", str(path)])
    assert r.exit_code == 2
    assert not (tmp_path / "d" / "harbour.db").exists()


def test_backup_will_not_overwrite_and_postgres_is_pointed_to_pg_dump(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "d", environment="test")
    light_components(settings)
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(settings.data_dir))
    (tmp_path / "exists.db").write_bytes(b"x")
    r = CliRunner().invoke(cli, ["backup", str(tmp_path / "exists.db")])
    assert r.exit_code == 2 and (tmp_path / "exists.db").read_bytes() == b"x"
    monkeypatch.setenv("HARBOUR_DATABASE__URL", "postgresql+psycopg://h@127.0.0.1:1/h")
    r = CliRunner().invoke(cli, ["backup", str(tmp_path / "new.db")])
    assert r.exit_code == 2 and "pg_dump" in r.output
