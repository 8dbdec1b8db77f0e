"""Fixtures for generated answers: the curated knowledge base, a loopback model server, and a
composer wired the way `assistant.container.build_composer` wires it, with short timeouts."""

from __future__ import annotations

import pytest

from assistant.composition import ExtractiveComposer
from assistant.container import build_composer
from assistant.messages import Messages
from assistant.models import DetectedLanguage, Passage, RedactedText, Severity, Verdict
from assistant.safeguarding import SafetyTexts
from assistant.settings import LLMSettings, Settings
from knowledge_base.schema import KnowledgeBase
from tests.llm_server import LoopbackLLM

ARTICLE = "pay-deductions-accommodation-offset"  # Acas 0300 123 1100, Citizens Advice 0800 144 8848
OTHER = "pay-unpaid-wages"
NONE = Verdict(Severity.NONE)


def lang(code: str = "en") -> DetectedLanguage:
    return DetectedLanguage(code, True, "explicit")


def passages(*ids: str) -> list[Passage]:
    return [Passage(i, 0.9 - n / 10, "en") for n, i in enumerate(ids or (ARTICLE,))]


QUESTION = RedactedText("My employer takes money from my pay for the house, is that allowed?")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_dir(Settings().content_dir)


@pytest.fixture(scope="session")
def messages() -> Messages:
    return Messages()


@pytest.fixture(scope="session")
def safety() -> SafetyTexts:
    return SafetyTexts()


@pytest.fixture(scope="session")
def extractive(kb, messages, safety) -> ExtractiveComposer:
    return ExtractiveComposer(kb, messages, safety)


@pytest.fixture
def llm_server():
    with LoopbackLLM() as server:
        yield server


@pytest.fixture
def make_composer(kb, messages, safety, llm_server, tmp_path):
    """`make_composer(**llm_settings)`: the production assembly against the loopback server."""

    def make(**overrides):
        llm = {
            "base_url": llm_server.url,
            "model": "scripted",
            "connect_timeout_s": 0.5,
            "timeout_s": 2.0,
            "retry_jitter_s": 0.1,
            **overrides,
        }
        settings = Settings(data_dir=tmp_path, environment="test", llm=LLMSettings(**llm))
        composer = build_composer(settings, kb, messages, safety)
        composer.retry_backoff_s = 0.05
        return composer

    return make
