"""The `harbour` command: serve, ingest, eval."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Harbour: support assistant for displaced international care workers.",
    no_args_is_help=True,
    add_completion=False,
)


def _settings():
    from assistant.settings import Settings

    return Settings()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (>1 needs a Chroma server).", min=1)
    ] = 1,
) -> None:
    """Serve the API and pages (models load in the background; watch /readyz)."""
    import uvicorn

    from api.app import create_app

    settings = _settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if workers > 1 and not settings.vector_store.url:
        typer.secho(
            "Several workers cannot share an on-disk Chroma store: start a Chroma server and "
            "set HARBOUR_VECTOR_STORE__URL (see README, Scaling out).",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    common = {
        "host": host,
        "port": port,
        "log_level": settings.log_level.lower(),
        "proxy_headers": True,
        "forwarded_allow_ips": settings.limits.forwarded_allow_ips,
    }
    if workers > 1:
        # each worker process builds its own app from the same environment
        uvicorn.run("api.app:create_app", factory=True, workers=workers, **common)
    else:
        uvicorn.run(create_app(settings), **common)


@app.command()
def ingest(
    rebuild: Annotated[bool, typer.Option(help="Drop the index and build it again.")] = False,
) -> None:
    """Embed the curated knowledge base into the vector store (incremental)."""
    from tqdm import tqdm

    from assistant.container import build_embedder, build_vector_store
    from assistant.errors import EmbedderMismatch
    from ingestion.pipeline import ingest as run_ingest
    from ingestion.sources import load_sources
    from knowledge_base.embeddings import CachedPassageEmbedder, PassageCache
    from knowledge_base.schema import ArticleError

    settings = _settings()
    try:
        articles = load_sources(settings.content_dir)
    except ArticleError as exc:
        typer.secho(f"Invalid article: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"{len(articles)} articles in {settings.content_dir}")
    embedder = build_embedder(settings)
    passages = CachedPassageEmbedder(embedder, PassageCache(settings.passage_cache_path))
    if rebuild:
        _drop_collection(settings)
    try:
        store = build_vector_store(settings, embedder)
    except EmbedderMismatch as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(2) from exc
    bar = tqdm(total=0, unit="doc", desc="Embedding", disable=None)

    def on_total(n: int) -> None:
        bar.total = n
        bar.refresh()

    report = run_ingest(articles, store, passages, progress=bar.update, on_total=on_total)
    bar.close()
    typer.echo(report.summary() if report.changed else "Index is up to date: nothing changed.")
    typer.echo(f"{store.count()} documents in the index")
    if settings.safeguarding.semantic:
        # Embeds the safeguarding exemplars into the cache so `serve` starts quickly.
        from assistant.safeguarding import SafeguardingDetector

        SafeguardingDetector(embedder=embedder, cache_dir=settings.data_dir / "cache")
        typer.echo("Safeguarding exemplars ready")


def _drop_collection(settings) -> None:
    import shutil

    if settings.vector_store.url:
        from urllib.parse import urlparse

        import chromadb

        u = urlparse(settings.vector_store.url)
        client = chromadb.HttpClient(host=u.hostname, port=u.port or 8000)
        # chromadb raises different errors for a missing collection
        with contextlib.suppress(Exception):
            client.delete_collection(settings.vector_store.collection)
    else:
        shutil.rmtree(settings.chroma_path, ignore_errors=True)


@app.command("eval")
def eval_(
    suites: Annotated[
        list[str] | None, typer.Argument(help="Suites to run (default: all).")
    ] = None,
    fast: Annotated[bool, typer.Option(help="Run the quick subset CI uses.")] = False,
    composer: Annotated[
        str | None,
        typer.Option(
            help="answers suite: 'extractive', or 'llm' (the HARBOUR_LLM__* endpoint; reports "
            "the grounding check per language). Default: as configured."
        ),
    ] = None,
) -> None:
    """Run evaluation suites; exits non-zero when any suite is below its threshold."""
    from evals.run import main as run_evals

    sys.exit(run_evals(suites or [], fast=fast, composer=composer))


# --- knowledge base (issue 3) ---------------------------------------------------------------
kb = typer.Typer(help="The curated knowledge base.", no_args_is_help=True)
app.add_typer(kb, name="kb")


@kb.command("check")
def kb_check(
    content_dir: Annotated[
        Path | None, typer.Option(help="Articles folder (default: the configured one).")
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="Date to check review_by against (YYYY-MM-DD).")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
) -> None:
    """Check articles, translations, links, sources, review dates and phone numbers."""
    import datetime as dt

    from knowledge_base.check import check_knowledge_base

    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise typer.BadParameter(f"{today!r} is not a YYYY-MM-DD date", param_hint="--today") \
            from exc
    report = check_knowledge_base(content_dir or _settings().content_dir, today=day)
    typer.echo(report.format())
    if not report.ok or (strict and report.warnings):
        raise typer.Exit(1)


# --- staff accounts (issue 4) ---------------------------------------------------------------
users = typer.Typer(help="Staff accounts: create, list, disable.", no_args_is_help=True)
app.add_typer(users, name="users")


def _staff_directory():
    from assistant.staff import StaffDirectory
    from assistant.storage.database import init_db, make_engine, session_factory

    settings = _settings()
    engine = make_engine(settings.database_url)
    init_db(engine)
    return StaffDirectory(session_factory(engine))


@users.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="safeguarding_lead, programme or admin.")],
    council: Annotated[
        list[str] | None,
        typer.Option(help="Council slug a lead covers (repeatable), or 'regional'."),
    ] = None,
) -> None:
    """Create a staff user; the password is read from standard input."""
    from assistant.errors import InvalidInput

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = _staff_directory().create(username, role, password, tuple(council or ()))
    except InvalidInput as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(2) from exc
    scope = f" for {', '.join(user.councils)}" if user.councils else ""
    typer.echo(f"Created {user.username} ({user.role}{scope})")


@users.command("list")
def users_list() -> None:
    """List staff users (never their password hashes)."""
    for r in _staff_directory().list():
        state = "active" if r.active else "disabled"
        typer.echo(
            f"{r.user.username}\t{r.user.role}\t{','.join(r.user.councils) or '-'}\t{state}"
            f"\tlast sign-in {r.last_login_at or 'never'}"
        )


@users.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Sign-in name.")]) -> None:
    """Disable a staff user: their tokens and sessions stop working at once."""
    from assistant.errors import InvalidInput

    try:
        _staff_directory().disable(username)
    except InvalidInput as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Disabled {username}")


# --- programme analytics (issue 5) ----------------------------------------------------------
analytics = typer.Typer(help="Programme analytics: demo data and rollups.", no_args_is_help=True)
app.add_typer(analytics, name="analytics")


def _analytics_sessions():
    from assistant.storage.database import init_db, make_engine, session_factory

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    init_db(engine)
    return session_factory(engine)


@analytics.command("seed")
def analytics_seed(
    events: Annotated[int, typer.Option(help="How many synthetic events to add.")] = 20_000,
    weeks: Annotated[int, typer.Option(help="Spread them over this many past weeks.")] = 26,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 0,
) -> None:
    """Fill the database with realistic synthetic events (a demo dashboard; no text)."""
    from assistant.analytics.seed import seed_events

    if events < 1:
        typer.secho("--events must be at least 1", fg="red", err=True)
        raise typer.Exit(2)
    n = seed_events(_analytics_sessions(), events, weeks=weeks, seed=seed)
    typer.echo(f"Added {n} synthetic events over {weeks} weeks; rollups rebuilt")


@analytics.command("rebuild")
def analytics_rebuild() -> None:
    """Recompute the weekly rollups from the events."""
    from assistant.analytics.rollups import rebuild_rollups

    typer.echo(f"Rebuilt rollups from {rebuild_rollups(_analytics_sessions())} events")


# --- privacy operations and the database (issue 8) -------------------------------------------
retention = typer.Typer(help="Delete what is past the retention period.", no_args_is_help=True)
app.add_typer(retention, name="retention")
privacy = typer.Typer(help="Privacy checks.", no_args_is_help=True)
app.add_typer(privacy, name="privacy")
db = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db, name="db")


@retention.command("run")
def retention_run(
    days: Annotated[
        int | None, typer.Option(help="Override HARBOUR_RETENTION__DAYS (default 365).")
    ] = None,
) -> None:
    """Delete conversations and CV events older than the retention period."""
    from assistant.container import build_rate_limiter
    from assistant.retention import ConversationEraser

    settings = _settings()
    sessions = _sessions(settings)
    limiter = build_rate_limiter(settings, sessions)
    report = ConversationEraser(sessions).run_retention(
        days if days is not None else settings.retention.days,
        purge_rate_limits=limiter.storage.purge_expired,  # type: ignore[attr-defined]
    )
    typer.echo(report.summary())


@privacy.command("scan")
def privacy_scan(
    path: Annotated[
        list[Path] | None,
        typer.Option(help="Folders or files to scan (default: the data folder). Repeatable."),
    ] = None,
    logs: Annotated[
        list[Path] | None, typer.Option(help="Log files or folders to scan. Repeatable.")
    ] = None,
    database: Annotated[
        bool, typer.Option(help="Also scan the configured database's tables.")
    ] = True,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="Skip files under folders with this name (e.g. chroma). Repeatable."),
    ] = None,
) -> None:
    """Look for emails, UK phone numbers and NI numbers; exits 1 on any hit."""
    from sqlalchemy import create_engine

    from assistant.privacy_scan import PrivacyScanner, ScanReport

    settings = _settings()
    scanner = PrivacyScanner(exclude=set(exclude or ()))
    report = ScanReport()
    roots = list(path or [settings.data_dir]) + list(logs or [])
    if database and (path is None or settings.database.url):
        engine = create_engine(settings.database_url)
        try:
            scanner.scan_database(engine, report)
        except Exception as exc:  # an absent or unreachable database is reported, not hidden
            typer.secho(f"Could not scan the database: {type(exc).__name__}", fg="red", err=True)
            raise typer.Exit(2) from exc
        finally:
            engine.dispose()
    for root in roots:
        if root.exists():
            scanner.scan_path(root, report)
        else:
            typer.secho(f"Not found, skipped: {root}", fg="yellow", err=True)
    n = report.scanned
    typer.echo(f"Scanned {n['rows']} rows, {n['files']} files ({n['bytes'] / 1e6:.1f} MB).")
    for hit in report.hits[:200]:
        typer.echo(str(hit))
    if report.hits:
        typer.secho(f"{len(report.hits)} possible personal data found.", fg="red", err=True)
        raise typer.Exit(1)
    typer.echo("No personal data found.")


@app.command("backup")
def backup_cmd(dest: Annotated[Path, typer.Argument(help="New file for the backup.")]) -> None:
    """Copy the SQLite database to DEST with SQLite's online backup API (safe while serving)."""
    from assistant.backup import BackupError, backup

    try:
        size = backup(_settings().database_url, dest)
    except BackupError as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Backed up to {dest} ({size / 1e6:.2f} MB)")


@app.command("restore")
def restore_cmd(source: Annotated[Path, typer.Argument(help="A file from `harbour backup`.")]):
    """Replace the SQLite database with a backup (stop the service first)."""
    from assistant.backup import BackupError, restore

    try:
        restore(_settings().database_url, source)
    except BackupError as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Restored from {source}")


@db.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database (SQLite or PostgreSQL) to the newest schema; start-up does too."""
    from assistant.storage.database import make_engine
    from assistant.storage.migrate import current_revision, upgrade

    engine = make_engine(_settings().database_url)
    before = current_revision(engine)
    upgrade(engine, revision)
    typer.echo(f"Database at revision {current_revision(engine)} (was {before or 'empty'})")


@db.command("current")
def db_current() -> None:
    """The database's schema revision and the newest one."""
    from assistant.storage.database import make_engine
    from assistant.storage.migrate import current_revision, head_revision

    current = current_revision(make_engine(_settings().database_url))
    typer.echo(f"current {current or 'none'}, head {head_revision()}")


@db.command("revision")
def db_revision(
    message: Annotated[str, typer.Argument(help="What changed, e.g. 'add cv_reports'.")],
) -> None:
    """Write a new migration from the difference between the models and a migrated database
    (developers: run after changing assistant/storage/models.py, then review the file)."""
    import tempfile

    from alembic import command
    from sqlalchemy import create_engine

    from assistant.storage.migrate import alembic_config, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")
        upgrade(engine)
        with engine.begin() as conn:
            command.revision(alembic_config(conn), message=message, autogenerate=True)
        engine.dispose()


def _sessions(settings):
    from assistant.storage.database import init_db, make_engine, session_factory

    engine = make_engine(settings.database_url)
    init_db(engine)
    return session_factory(engine)


if __name__ == "__main__":
    app()
