"""Schema migrations with Alembic, for SQLite and PostgreSQL.

`upgrade(engine)` brings any database to the newest revision: a new one is built by the
migrations in assistant/storage/migrations/versions; one made by `create_all` before migrations
existed is completed and stamped. Workers starting together take a lock first (PostgreSQL: an
advisory lock; SQLite: a lock file beside the database), so only one migrates.
`tests/contract/test_migrations.py` checks the migrations build exactly the models' schema.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = 0x4841_5242  # "HARB"


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    db = engine.url.database
    if not db or db == ":memory:":
        yield
        return
    lock = Path(db).with_name(Path(db).name + ".migrate-lock")
    with lock.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to `revision` (default: the newest)."""
    lock = _sqlite_lock(engine) if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with lock, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        cfg = alembic_config(conn)
        tables = set(inspect(conn).get_table_names())
        if tables and "alembic_version" not in tables:
            # made by create_all before migrations: add what is missing, then record the head
            from assistant.storage.models import Base

            Base.metadata.create_all(conn)
            command.stamp(cfg, "head")
        else:
            command.upgrade(cfg, revision)
