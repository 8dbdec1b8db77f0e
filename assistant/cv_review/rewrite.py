"""The seam for an optional LLM rewrite of the personal statement (a later issue).

Nothing implements it yet. When one exists it is chosen in `assistant/container.py` and given
to `CvReviewer(rewriter=...)`; it receives only redacted text, and whatever it returns is
untrusted output to be escaped wherever it is shown.
"""

from __future__ import annotations

from typing import Protocol

from assistant.models import RedactedText


class StatementRewriter(Protocol):
    """Suggests a better personal statement from the redacted CV; None when it cannot."""

    def rewrite(self, cv: RedactedText, language: str, target_role: str) -> str | None: ...
