"""The CV review flow, top to bottom. Nothing else orchestrates a review.

check the file (size, type by its bytes) → parse in a limited subprocess (visible text, pages,
images, hidden text) → count and strip invisible characters → redact → deterministic checks →
report in the worker's language → analytics event. Nothing of the CV is stored or logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from assistant.analytics.events import AnalyticsSink
from assistant.cv_review.catalog import CvMessages
from assistant.cv_review.checks import TARGET_ROLES, CvFacts, run_checks
from assistant.cv_review.errors import CvFileProblem, UnknownTargetRole
from assistant.cv_review.files import classify, count_invisible, strip_invisible
from assistant.cv_review.limits import CvLimits
from assistant.cv_review.parsing import CvParser
from assistant.cv_review.report import CvReport, build_report
from assistant.cv_review.rewrite import StatementRewriter
from assistant.errors import UnknownLocalAuthority, UnsupportedLanguageCode
from assistant.languages import LOCAL_AUTHORITY_SLUGS, SUPPORTED_LANGUAGES
from assistant.models import RedactedText
from assistant.redaction import PiiRedactor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CvUpload:
    data: bytes  # the raw file, held in memory only for this request
    filename: str | None = None
    content_type: str | None = None
    language: str | None = None  # the report's language; English when not given
    target_role: str | None = None
    local_authority: str | None = None


@dataclass
class CvReviewer:
    parser: CvParser
    redactor: PiiRedactor
    analytics: AnalyticsSink
    messages: CvMessages
    limits: CvLimits
    rewriter: StatementRewriter | None = None  # optional LLM step, given redacted text only
    redact_chunk_chars: int = 3000

    def review(self, upload: CvUpload) -> CvReport:
        language, role, council = self._validate(upload)
        try:
            kind = classify(upload.data, upload.filename, upload.content_type, self.limits)
            parsed = self.parser.parse(upload.data, kind)
        except CvFileProblem as exc:
            log.info("CV refused: %s (%s)", exc.reason, exc.detail)
            raise self.messages.rejection(exc.reason, language) from None
        invisible = count_invisible(parsed.text)
        visible = strip_invisible(parsed.text)
        if len(visible.split()) < 5:
            raise self.messages.rejection("no_text", language)
        redacted = self.redact(visible, language)  # before anything else sees the text
        facts = CvFacts(
            pages=parsed.pages,
            images=parsed.images,
            hidden_chars=sum(parsed.hidden.values()),
            invisible_chars=invisible,
        )
        findings = run_checks(redacted.text, redacted.entities, facts, role, dt.date.today())
        report = build_report(findings, language, self.messages)
        if self.rewriter is not None:
            report.rewritten_statement = self.rewriter.rewrite(redacted, language, role)
        self.analytics.record(
            categories=[],
            language=language,
            local_authority=council,
            escalated=False,
            severity="none",
            answered=True,
            kind="cv_review",
        )
        return report

    def redact(self, text: str, language: str) -> RedactedText:
        """Redacts in line-aligned chunks: the redactor caps its input (long digit runs are
        slow in Presidio), a CV can be up to `limits.max_chars`."""
        size = min(self.redact_chunk_chars, getattr(self.redactor, "max_chars", 4000))
        texts: list[str] = []
        entities: set[str] = set()
        # A blank line between lines keeps the NER model from joining a name, a town and the
        # next heading into one <PERSON>; it is taken out again afterwards.
        spaced = text.replace("\r\n", "\n").replace("\n", "\n\n")
        for chunk in _chunks(spaced, size):
            r = self.redactor.redact(chunk, language)
            texts.append(r.text)
            entities.update(r.entities)
        return RedactedText("".join(texts).replace("\n\n", "\n"), tuple(sorted(entities)))

    def _validate(self, upload: CvUpload) -> tuple[str, str, str | None]:
        language = upload.language or "en"
        if language not in SUPPORTED_LANGUAGES:
            raise UnsupportedLanguageCode(
                f"Unsupported language {language!r}.", valid=sorted(SUPPORTED_LANGUAGES)
            )
        role = upload.target_role or "care_worker"
        if role not in TARGET_ROLES:
            raise UnknownTargetRole(
                self.messages.get(language, "errors.unknown_target_role"),
                valid=list(TARGET_ROLES),
            )
        council = upload.local_authority or None
        if council and council not in LOCAL_AUTHORITY_SLUGS:
            raise UnknownLocalAuthority(
                f"Unknown council {council!r}.", valid=sorted(LOCAL_AUTHORITY_SLUGS)
            )
        return language, role, council


def _chunks(text: str, size: int) -> list[str]:
    """Pieces of at most `size` characters, cut after a newline (or a space) where possible."""
    out: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            if cut > start:
                end = cut + 1
        out.append(text[start:end])
        start = end
    return out
