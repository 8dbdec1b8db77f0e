"""Alembic migrations for SQLite and PostgreSQL (`harbour db upgrade`; also run at start-up)."""
