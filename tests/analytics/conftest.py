"""Analytics fixtures: a real SQLite database (in memory) and synthetic events."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from assistant.storage.database import init_db, session_factory


def memory_sessions():
    """A fresh in-memory SQLite database shared by every session of this factory."""
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    init_db(engine)
    return session_factory(engine)


@pytest.fixture
def sessions():
    return memory_sessions()
