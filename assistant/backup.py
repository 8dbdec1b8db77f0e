"""Backup and restore of the SQLite database with SQLite's online backup API.

`backup` copies a consistent snapshot while the service runs (readers and writers carry on).
`restore` checks the copy (integrity and Harbour's tables) and then writes it over the live
database page by page with the same API; stop the service first. PostgreSQL deployments use
pg_dump/pg_restore. The vector index is not backed up: `harbour ingest` rebuilds it from the
curated content in the repository.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.errors import HarbourError

REQUIRED_TABLES = {"conversations", "messages", "escalation_cases", "analytics_events"}


class BackupError(HarbourError):
    code = "backup_error"


def sqlite_path(database_url: str) -> Path:
    if not database_url.startswith("sqlite:///"):
        raise BackupError(
            "harbour backup/restore handle the SQLite default; for PostgreSQL use pg_dump."
        )
    return Path(database_url.removeprefix("sqlite:///"))


def backup(database_url: str, dest: Path) -> int:
    """Write a snapshot of the database to `dest`; returns its size in bytes."""
    src_path = sqlite_path(database_url)
    if not src_path.exists():
        raise BackupError(f"There is no database at {src_path}.")
    dest = Path(dest)
    if dest.exists():
        raise BackupError(f"{dest} exists; choose a new file for the backup.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(src_path)
    out = sqlite3.connect(dest)
    try:
        src.backup(out)
        out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        out.close()
        src.close()
    return dest.stat().st_size


def check_backup(path: Path) -> None:
    if not Path(path).is_file():
        raise BackupError(f"There is no backup file at {path}.")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database.") from exc
    if ok != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {ok}")
    missing = REQUIRED_TABLES - tables
    if missing:
        raise BackupError(f"{path} is not a Harbour backup (no {', '.join(sorted(missing))}).")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup at `source` (service stopped)."""
    check_backup(source)
    dest_path = sqlite_path(database_url)
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dest = sqlite3.connect(dest_path)
    try:
        src.backup(dest)
    finally:
        dest.close()
        src.close()
