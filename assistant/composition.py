"""Compose the reply. The default `ExtractiveComposer` needs no model: it quotes the key points
of the best curated article — in the worker's language where a checked translation exists, with
the English beside it — and cites its sources. It cannot invent a number, address or phone
number because every sentence it sends was written and reviewed by people.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import urlparse

from assistant.messages import Messages
from assistant.models import Citation, DetectedLanguage, Passage, RedactedText, Verdict
from assistant.safeguarding import SafetyTexts
from assistant.text import normalise
from knowledge_base.schema import KnowledgeBase


@dataclass
class ComposedAnswer:
    reply: str
    reply_english: str | None
    language: str
    citations: list[Citation] = field(default_factory=list)
    answered: bool = False


class AnswerComposer(Protocol):
    """Writes the answer from retrieved passages; must lead with the fixed safety text."""

    def compose(
        self,
        question: RedactedText,
        passages: list[Passage],
        language: DetectedLanguage,
        verdict: Verdict,
    ) -> ComposedAnswer: ...


@runtime_checkable
class StreamingComposer(AnswerComposer, Protocol):
    """A composer that can also stream: text pieces as they are written, then the final
    `ComposedAnswer`, which replaces them (it is the checked answer, or the fallback)."""

    def compose_stream(
        self,
        question: RedactedText,
        passages: list[Passage],
        language: DetectedLanguage,
        verdict: Verdict,
    ) -> Iterator[str | ComposedAnswer]: ...


# Requests outside the service (creative writing, code, homework) are declined politely.
_OUT_OF_SCOPE = re.compile(
    r"(?<!\w)(?:write (?:me )?(?:a |an )?(?:poem|song|story|essay|joke|code|program|script)|"
    r"poem|haiku|lyrics|homework|python code|javascript|sql query|write code|tell me a joke|"
    r"recipe for|kavita|कविता|شاعری|نظم|tula|shairi|shayari)"
)


def is_out_of_scope(text: str) -> bool:
    return bool(_OUT_OF_SCOPE.search(normalise(text)))


class ExtractiveComposer:
    def __init__(
        self, kb: KnowledgeBase, messages: Messages, safety: SafetyTexts, max_sources: int = 2
    ) -> None:
        self.kb = kb
        self.messages = messages
        self.safety = safety
        self.max_sources = max_sources

    def compose(
        self,
        question: RedactedText,
        passages: list[Passage],
        language: DetectedLanguage,
        verdict: Verdict,
    ) -> ComposedAnswer:
        lang = language.code if language.supported else "en"
        head, head_en = [], []
        if verdict.escalate:
            head.append(self.safety.get(lang, verdict.severity))
            head_en.append(self.safety.get("en", verdict.severity))
        if not language.supported:
            body = body_en = self.messages.get("en", "reply.unsupported_language")
            return self._answer(head, head_en, body, body_en, "en", [], False)
        if is_out_of_scope(question.text):
            body = self.messages.get(lang, "reply.out_of_scope")
            body_en = self.messages.get("en", "reply.out_of_scope")
            return self._answer(head, head_en, body, body_en, lang, [], False)
        article = self.kb.get(passages[0].article_id) if passages else None
        if article is None:
            body = self.messages.get(lang, "reply.no_answer")
            body_en = self.messages.get("en", "reply.no_answer")
            return self._answer(head, head_en, body, body_en, lang, [], False)

        english = article.localised("en")
        local = article.localised(lang)
        assert english is not None
        body_en = _card(english.title, english.key_points)
        if local is None:  # not translated yet: say so, and give the English
            body = self.messages.get(lang, "reply.translation_missing") + "\n\n" + body_en
        else:
            body = _card(local.title, local.key_points)
        citations = [Citation((local or english).title, article.url)]
        for url in article.source_urls[: self.max_sources]:
            citations.append(Citation(urlparse(str(url)).netloc, str(url)))
        for extra in passages[1:2]:
            other = self.kb.get(extra.article_id)
            if other is not None:
                title = (other.localised(lang) or other.localised("en")).title  # type: ignore[union-attr]
                citations.append(Citation(title, other.url))
        return self._answer(head, head_en, body, body_en, lang, citations, True)

    @staticmethod
    def _answer(head, head_en, body, body_en, lang, citations, answered) -> ComposedAnswer:
        reply = "\n\n".join([*head, body])
        reply_english = "\n\n".join([*head_en, body_en])
        return ComposedAnswer(
            reply=reply,
            reply_english=None if lang == "en" else reply_english,
            language=lang,
            citations=citations,
            answered=answered,
        )


def _card(title: str, points: list[str]) -> str:
    return title + "\n" + "\n".join(f"• {p}" for p in points)
