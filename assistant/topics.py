"""Topic categories for analytics: multilingual keyword lexicons, 0..n per message."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.models import RedactedText
from assistant.text import Lexicon, normalise

LEXICON = Path(__file__).resolve().parent / "topics.yaml"
CATEGORIES = (
    "visa_immigration",
    "employment_rights",
    "finding_work",
    "housing",
    "health_wellbeing",
    "money",
    "family",
    "community",
    "english_training",
    "transport_driving",
    "legal_advice",
    "safeguarding",
)


class TopicCategoriser:
    def __init__(self, path: Path = LEXICON) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))["categories"]
        unknown = set(data) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories in {path}: {sorted(unknown)}")
        self._lexicons = {c: Lexicon(data.get(c) or {}) for c in CATEGORIES}
        self._languages = sorted({lang for lx in self._lexicons.values() for lang in lx.languages})

    def categorise(self, text: RedactedText, language: str) -> list[str]:
        norm = normalise(text.text)
        return [c for c, lx in self._lexicons.items() if lx.matches(norm, self._languages)]
