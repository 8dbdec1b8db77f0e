"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL.

A model change without a migration fails here: write one with
`harbour db revision "what changed"`, review it, and commit it with the model change.
"""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from assistant.storage.database import make_engine
from assistant.storage.migrate import current_revision, head_revision, upgrade
from assistant.storage.models import Base


def schema_diff(engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


@pytest.fixture
def engine(database_url):
    e = make_engine(database_url)
    yield e
    e.dispose()


def test_migrations_build_the_models_schema(engine):
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_the_migrated_case_trail_is_append_only(engine):
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO conversations (id, created_at, updated_at) "
                "VALUES ('c', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO messages (id, conversation_id, role, text, created_at) "
                "VALUES (1, 'c', 'user', 'x', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO escalation_cases (id, conversation_id, message_id, severity, indicators,"
                " method, local_authority, status, created_at) VALUES (1, 'c', 1, 'urgent', '[]',"
                " 'lexicon', 'regional', 'new', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO case_events (case_id, actor, action, detail, created_at) "
                "VALUES (1, 'system', 'opened', '{}', CURRENT_TIMESTAMP)"
            )
        )
    for sql in ("UPDATE case_events SET actor = 'x'", "DELETE FROM case_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))


def test_upgrade_is_idempotent_and_downgrade_goes_back(engine):
    from alembic import command

    from assistant.storage.migrate import alembic_config

    upgrade(engine)
    upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert schema_diff(engine) == []


def test_a_database_from_before_migrations_is_completed_and_stamped(engine):
    Base.metadata.tables["conversations"].create(engine)  # an old, partial create_all
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert schema_diff(engine) == []


def test_workers_starting_together_migrate_once(database_url):
    engines = [make_engine(database_url) for _ in range(3)]
    errors: list[BaseException] = []

    def start(e):
        try:
            upgrade(e)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert current_revision(engines[0]) == head_revision()
    for e in engines:
        e.dispose()


def test_harbour_db_upgrade(database_url, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import app as cli

    monkeypatch.setenv("HARBOUR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HARBOUR_DATABASE__URL", database_url)
    r = CliRunner().invoke(cli, ["db", "upgrade"])
    assert r.exit_code == 0, r.output
    assert f"revision {head_revision()} (was empty)" in r.output
    r = CliRunner().invoke(cli, ["db", "current"])
    assert f"current {head_revision()}" in r.output
