"""The chat pipeline, top to bottom. Nothing else orchestrates a message.

detect language → redact → safeguarding check (case committed with the message) → topic
categories → retrieve curated guidance → compose → record analytics → reply.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.analytics.events import AnalyticsSink
from assistant.composition import AnswerComposer, ComposedAnswer, StreamingComposer
from assistant.errors import (
    MessageEmpty,
    MessageTooLong,
    UnknownLocalAuthority,
    UnsupportedLanguageCode,
)
from assistant.language import LanguagePolicy
from assistant.languages import LOCAL_AUTHORITY_SLUGS, SUPPORTED_LANGUAGES
from assistant.models import (
    DetectedLanguage,
    IncomingMessage,
    Passage,
    RedactedText,
    Reply,
    Verdict,
)
from assistant.redaction import PiiRedactor
from assistant.retrieval import Retriever
from assistant.safeguarding import SafeguardingDetector
from assistant.storage.conversations import ConversationRef, ConversationStore, RecordedTurn
from assistant.text import clean_input
from assistant.topics import TopicCategoriser

log = logging.getLogger(__name__)


@dataclass
class _Turn:
    """A message made ready for composing: what respond() and respond_stream() share."""

    conv: ConversationRef
    council: str | None
    language: DetectedLanguage
    redacted: RedactedText
    verdict: Verdict
    turn: RecordedTurn  # case id; whether it repeats an earlier message_id
    categories: list[str]
    passages: list[Passage]


@dataclass
class Assistant:
    language: LanguagePolicy
    redactor: PiiRedactor
    safeguarding: SafeguardingDetector
    topics: TopicCategoriser
    retriever: Retriever
    composer: AnswerComposer
    conversations: ConversationStore
    analytics: AnalyticsSink
    max_message_chars: int = 4000

    def respond(self, msg: IncomingMessage) -> Reply:
        turn = self._prepare(msg)
        answer = self.composer.compose(turn.redacted, turn.passages, turn.language, turn.verdict)
        return self._finish(turn, answer)

    def respond_stream(self, msg: IncomingMessage) -> Iterator[str | Reply]:
        """respond(), streamed: text pieces as the composer writes them, then the `Reply`,
        whose text replaces them (it is the checked answer). Everything up to composing —
        validation, redaction, the safeguarding check and its case — happens before this
        returns, so bad input raises here rather than mid-stream."""
        turn = self._prepare(msg)
        return self._stream(turn)

    def _stream(self, turn: _Turn) -> Iterator[str | Reply]:
        args = (turn.redacted, turn.passages, turn.language, turn.verdict)
        if not isinstance(self.composer, StreamingComposer):
            yield self._finish(turn, self.composer.compose(*args))
            return
        for item in self.composer.compose_stream(*args):
            if isinstance(item, ComposedAnswer):
                yield self._finish(turn, item)
                return
            yield item

    def _prepare(self, msg: IncomingMessage) -> _Turn:
        """Validate → detect language → redact → safeguarding check (case committed with the
        message) → topic categories → retrieve."""
        text = self._validate(msg)
        conv = self.conversations.open(msg.session_id)
        council = msg.local_authority or conv.local_authority

        language = self.language.detect(text, explicit=msg.language, fallback=conv.language)
        redacted = self.redactor.redact(text, language.code)
        verdict = self.safeguarding.assess(text, language.code, redacted=redacted)
        # Committed before anything below can fail: an escalation is never lost.
        turn = self.conversations.record_user_message(
            conv, redacted, language.code, council, verdict, msg.message_id
        )
        if turn.case_id is not None:
            log.warning(
                "safeguarding case %s opened: severity=%s indicators=%s council=%s",
                turn.case_id,
                verdict.severity.value,
                ",".join(verdict.indicators),
                council,
            )
        categories = self.topics.categorise(redacted, language.code)
        passages = (
            self.retriever.retrieve(redacted, language.code, council, turn.history)
            if language.supported
            else []
        )
        return _Turn(conv, council, language, redacted, verdict, turn, categories, passages)

    def _finish(self, t: _Turn, answer: ComposedAnswer) -> Reply:
        """Store the answer → record analytics → the reply."""
        self.conversations.record_assistant_message(t.conv, answer.reply, answer.language)
        if not t.turn.duplicate:
            self.analytics.record(
                categories=t.categories,
                language=t.language.code,
                local_authority=t.council,
                escalated=t.verdict.escalate,
                severity=t.verdict.severity.value,
                answered=answer.answered,
                opens_conversation=t.conv.is_new,
            )
        return Reply(
            session_id=t.conv.token,
            reply=answer.reply,
            reply_english=answer.reply_english,
            language=answer.language,
            citations=answer.citations,
            categories=t.categories,
            escalated=t.verdict.escalate,
            severity=t.verdict.severity,
            answered=answer.answered,
            case_id=t.turn.case_id,
        )

    def _validate(self, msg: IncomingMessage) -> str:
        text = clean_input(msg.text or "")
        if not text:
            raise MessageEmpty("The message is empty. Please type a question.")
        if len(text) > self.max_message_chars:
            raise MessageTooLong(
                f"The message is too long: the limit is {self.max_message_chars} characters.",
                limit=self.max_message_chars,
            )
        if msg.local_authority and msg.local_authority not in LOCAL_AUTHORITY_SLUGS:
            raise UnknownLocalAuthority(
                f"Unknown council {msg.local_authority!r}.", valid=sorted(LOCAL_AUTHORITY_SLUGS)
            )
        if msg.language and msg.language not in SUPPORTED_LANGUAGES:
            raise UnsupportedLanguageCode(
                f"Unsupported language {msg.language!r}.", valid=sorted(SUPPORTED_LANGUAGES)
            )
        return text
