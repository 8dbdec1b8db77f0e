"""Value objects that travel through the pipeline.

`RedactedText` is the only text type allowed past redaction: storage, analytics, logs and the
LLM accept `RedactedText`, never `str`, so a raw message cannot reach them by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class RedactedText:
    text: str
    entities: tuple[str, ...] = ()  # entity types removed, e.g. ("PERSON", "UK_NINO")

    def __str__(self) -> str:
        return self.text


class Severity(StrEnum):
    NONE = "none"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return {"none": 0, "high": 1, "urgent": 2}[self.value]


@dataclass(frozen=True)
class Verdict:
    severity: Severity
    indicators: tuple[str, ...] = ()  # lexicon indicator ids, e.g. "withheld_documents"
    method: str = ""  # "lexicon", "semantic" or both

    @property
    def escalate(self) -> bool:
        return self.severity is not Severity.NONE


@dataclass(frozen=True)
class DetectedLanguage:
    code: str  # ISO 639-1; an unsupported code when supported is False
    supported: bool
    source: str  # "explicit" | "detected" | "session" | "default" | "romanised"
    confidence: float = 1.0


@dataclass(frozen=True)
class IncomingMessage:
    text: str
    session_id: str | None = None
    language: str | None = None  # explicit choice from the client wins
    local_authority: str | None = None
    message_id: str | None = None  # client-chosen id that makes retries idempotent


@dataclass(frozen=True)
class Passage:
    article_id: str
    score: float
    language: str  # language of the indexed text that matched


@dataclass(frozen=True)
class Citation:
    title: str
    url: str


@dataclass
class Reply:
    session_id: str
    reply: str
    reply_english: str | None
    language: str
    citations: list[Citation] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    escalated: bool = False
    severity: Severity = Severity.NONE
    answered: bool = False
    case_id: int | None = None
