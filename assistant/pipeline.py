"""The chat pipeline, top to bottom. Nothing else orchestrates a message.

detect language → redact → safeguarding check (case committed with the message) → topic
categories → retrieve curated guidance → compose → record analytics → reply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from assistant.analytics.events import AnalyticsSink
from assistant.composition import AnswerComposer
from assistant.errors import (
    MessageEmpty,
    MessageTooLong,
    UnknownLocalAuthority,
    UnsupportedLanguageCode,
)
from assistant.language import LanguagePolicy
from assistant.languages import LOCAL_AUTHORITY_SLUGS, SUPPORTED_LANGUAGES
from assistant.models import IncomingMessage, Reply
from assistant.redaction import PiiRedactor
from assistant.retrieval import Retriever
from assistant.safeguarding import SafeguardingDetector
from assistant.storage.conversations import ConversationStore
from assistant.text import clean_input
from assistant.topics import TopicCategoriser

log = logging.getLogger(__name__)


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
        history = self.conversations.recent_user_messages(conv, limit=3)[:-1]
        passages = (
            self.retriever.retrieve(redacted, language.code, council, history)
            if language.supported
            else []
        )
        answer = self.composer.compose(redacted, passages, language, verdict)
        self.conversations.record_assistant_message(conv, answer.reply, answer.language)
        if not turn.duplicate:
            self.analytics.record(
                categories=categories,
                language=language.code,
                local_authority=council,
                escalated=verdict.escalate,
                severity=verdict.severity.value,
                answered=answer.answered,
                opens_conversation=conv.is_new,
            )
        return Reply(
            session_id=conv.token,
            reply=answer.reply,
            reply_english=answer.reply_english,
            language=answer.language,
            citations=answer.citations,
            categories=categories,
            escalated=verdict.escalate,
            severity=verdict.severity,
            answered=answer.answered,
            case_id=turn.case_id,
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
