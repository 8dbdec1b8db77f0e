"""CV review wording per language (assistant/cv_review/messages/<code>.yaml), English fallback.

Each finding has a `message` (what is wrong) and a `suggestion` (what to change) in the
worker's language, and an `example` in English: the CV itself is written in English for UK
employers, so the example is text to copy, not to translate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.cv_review.errors import CvRejected, CvTooLarge
from assistant.languages import SUPPORTED_LANGUAGES

HERE = Path(__file__).resolve().parent / "messages"


class CvMessages:
    def __init__(self, folder: Path = HERE) -> None:
        self._catalogs: dict[str, dict[str, Any]] = {}
        for code in SUPPORTED_LANGUAGES:
            path = folder / f"{code}.yaml"
            if path.exists():
                self._catalogs[code] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "en" not in self._catalogs:
            raise FileNotFoundError(f"{folder / 'en.yaml'} is required")

    @property
    def languages(self) -> list[str]:
        return list(self._catalogs)

    def get(self, language: str, key: str) -> str:
        """`key` is dotted ("findings.dbs_missing.message"); falls back to English."""
        for code in (language, "en"):
            node: Any = self._catalogs.get(code, {})
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, str):
                return node
        raise KeyError(key)

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
