"""CV review wording per language (assistant/cv_review/messages/<code>.yaml), English fallback.

Each finding has a `message` (what is wrong) and a `suggestion` (what to change) in the
worker's language, and an `example` in English: the CV itself is written in English for UK
employers, so the example is text to copy, not to translate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.cv_review.errors import CvRejected, CvTooLarge
from assistant.messages import Messages

HERE = Path(__file__).resolve().parent / "messages"


class CvMessages(Messages):
    """The service's catalog loader (`assistant.messages.Messages`) over the CV folder."""

    def __init__(self, folder: Path = HERE) -> None:
        super().__init__(folder)

    def has(self, language: str, key: str) -> bool:
        node: Any = self._catalogs.get(language, {})
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return isinstance(node, str)

    def ui(self, language: str) -> dict[str, Any]:
        """Page strings, section names and severities, merged over English."""
        en = self._catalogs["en"]
        own = self._catalogs.get(language, {})
        out: dict[str, Any] = {}
        for group in ("ui", "sections", "severity", "errors"):
            out[group] = {**en.get(group, {}), **own.get(group, {})}
        return out

    def finding(self, language: str, fid: str, params: dict[str, str]) -> tuple[str, str]:
        values = dict(params)
        if "topics" in values:
            values["topics"] = ", ".join(
                self.get(language, f"topics.{t}") for t in values["topics"].split(",") if t
            )
        message = self.get(language, f"findings.{fid}.message").format(**values)
        suggestion = self.get(language, f"findings.{fid}.suggestion").format(**values)
        example = self.get("en", f"findings.{fid}.example")
        label = self.get(language, "example_label")
        return message, f"{suggestion} {label}: “{example}”"

    def rejection(self, reason: str, language: str, **detail: object) -> CvRejected | CvTooLarge:
        message = self.get(language, f"errors.{reason}")
        if reason == "too_large":
            return CvTooLarge(message, **detail)
        return CvRejected(reason, message, **detail)
