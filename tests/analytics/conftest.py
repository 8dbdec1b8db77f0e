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


SEED_EVENTS = 20_000


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """Settings and components over a file database holding synthetic events.

    Only what the analytics and staff routes use is assembled (no models load)."""
    from assistant.analytics.queries import AnalyticsQueries
    from assistant.analytics.seed import seed_events
    from assistant.container import Components
    from assistant.messages import Messages
    from assistant.settings import Settings
    from assistant.staff import StaffDirectory
    from assistant.storage.database import make_engine

    settings = Settings(data_dir=tmp_path_factory.mktemp("analytics"), environment="test")
    engine = make_engine(settings.database_url)
    init_db(engine)
    sessions = session_factory(engine)
    seed_events(sessions, SEED_EVENTS, weeks=26, seed=5)
    components = Components(
        None, None, None, None, Messages(),
        staff=StaffDirectory(sessions), analytics=AnalyticsQueries(sessions),
    )  # type: ignore[arg-type]  # fmt: skip
    return settings, components
