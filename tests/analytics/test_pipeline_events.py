"""The chat pipeline feeds the dashboard: a conversation is counted once, with its first message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.analytics.events import SqlAnalyticsSink
from assistant.analytics.queries import AnalyticsQueries, Filters
from assistant.language import LanguagePolicy, Py3LangidDetector
from assistant.models import IncomingMessage
from assistant.pipeline import Assistant
from assistant.redaction import PresidioRedactor
from assistant.retrieval import Retriever
from assistant.safeguarding import SafeguardingDetector
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.models import AnalyticsEvent, AnalyticsRollup
from assistant.topics import TopicCategoriser
from knowledge_base.schema import KnowledgeBase
from knowledge_base.store import InMemoryVectorStore
from tests.fakes import FakeComposer, HashEmbedder


@pytest.fixture(scope="module")
def redactor():
    return PresidioRedactor()


def test_a_conversation_is_counted_once_and_messages_each_time(sessions, redactor):
    embedder = HashEmbedder()
    assistant = Assistant(
        language=LanguagePolicy(Py3LangidDetector()),
        redactor=redactor,
        safeguarding=SafeguardingDetector(embedder=None, exemplars_path=None),
        topics=TopicCategoriser(),
        retriever=Retriever(
            InMemoryVectorStore(embedder.id),
            embedder,
            KnowledgeBase.from_dir(Settings().content_dir),
        ),
        composer=FakeComposer(),  # no passages in an empty index: not answered
        conversations=ConversationStore(sessions),
        analytics=SqlAnalyticsSink(sessions),
    )
    first = assistant.respond(
        IncomingMessage(
            "My landlord wants me to leave the house, what can I do?", local_authority="coventry"
        )
    )
    assistant.respond(
        IncomingMessage("And my visa, what happens to my visa now?", session_id=first.session_id)
    )
    with sessions() as s:
        kinds = sorted(e.kind for e in s.scalars(select(AnalyticsEvent)))
        rollups = {(r.category, r.measure): r.n for r in s.scalars(select(AnalyticsRollup))}
    assert kinds == ["conversation", "message", "message"]
    assert rollups[("*", "conversations")] == 1
    assert rollups[("*", "messages")] == 2 and rollups[("*", "unanswered")] == 2
    assert rollups[("housing", "messages")] == 1
    summary = AnalyticsQueries(sessions).summary(Filters.parse(local_authority="coventry"))
    assert summary["totals"]["messages"] == "<5"  # two messages: never shown as 2
