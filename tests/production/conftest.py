"""Fixtures for the production-readiness tests: a light app (no models) on its own database."""

from __future__ import annotations

import pytest

from assistant.analytics.queries import AnalyticsQueries
from assistant.container import Components, build_case_service, build_rate_limiter
from assistant.messages import Messages
from assistant.models import Reply, Severity
from assistant.retention import ConversationEraser
from assistant.settings import Settings
from assistant.staff import StaffDirectory
from assistant.storage.database import init_db, make_engine, session_factory
from tests.contract.conftest import chroma_url, postgres_url  # noqa: F401  (fixtures)


class EchoAssistant:
    """Stands in for the pipeline: records what the route received."""

    composer = None  # the chat page asks what kind of composer answers

    def __init__(self) -> None:
        self.seen: list[str] = []

    def respond(self, msg) -> Reply:
        self.seen.append(msg.text)
        return Reply(
            session_id=msg.session_id or "new-session",
            reply="ok",
            reply_english=None,
            language="en",
            severity=Severity.NONE,
        )


def light_components(settings: Settings) -> Components:
    """The real limiter, eraser, staff, cases and analytics on the settings' database; no
    models are loaded."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    sessions = session_factory(engine)
    c = Components(
        EchoAssistant(),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        Messages(),
        staff=StaffDirectory(sessions),
        analytics=AnalyticsQueries(sessions),
        cases=build_case_service(settings, sessions),
    )
    c.limiter = build_rate_limiter(settings, sessions)
    c.eraser = ConversationEraser(sessions)
    c.sessions = sessions  # type: ignore[attr-defined]
    return c


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, environment="test")
