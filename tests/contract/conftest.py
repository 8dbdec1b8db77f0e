"""Real servers for contract tests: SQLite always; PostgreSQL and a Chroma server when
`scripts/ci-services.sh start` has exported their URLs (CI does). Without them those tests skip
with a reason, unless HARBOUR_SERVICES=required (CI), where a missing server fails the run."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

REQUIRED = os.environ.get("HARBOUR_SERVICES") == "required"


def server_url(var: str, what: str) -> str:
    url = os.environ.get(var)
    if not url:
        message = f"no {what}: run `scripts/ci-services.sh start` and source its env file ({var})"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    base = server_url("HARBOUR_TEST_POSTGRES_URL", "PostgreSQL server")
    parts = urlparse(base)
    admin = urlunparse(parts._replace(scheme="postgresql"))
    name = f"harbour_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield urlunparse(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'harbour.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def chroma_url():
    return server_url("HARBOUR_TEST_CHROMA_URL", "Chroma server")
