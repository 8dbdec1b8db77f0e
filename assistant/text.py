"""Text normalisation shared by the lexicon matchers and input cleaning."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Unicode tag characters (U+E0000–U+E007F) smuggle invisible instructions; other invisible
# format characters (zero-width, bidi overrides) are removed too. ZWJ/ZWNJ are kept: Indic
# scripts need them.
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\u200b\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def clean_input(text: str) -> str:
    """Strip invisible/control characters and surrounding whitespace from user input."""
    return _CONTROL.sub("", _INVISIBLE.sub("", text)).strip()


def normalise(text: str) -> str:
    """NFKC + casefold + single spaces: the form every lexicon term is matched against."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _is_latin(part: str) -> bool:
    return all(ord(ch) < 0x250 for ch in part if ch.isalpha())


@dataclass(frozen=True)
class _Term:
    label: str  # what matched, for explanations
    patterns: tuple[re.Pattern[str], ...]


def _compile_part(part: str) -> re.Pattern[str]:
    whole_word = part.endswith(" ")
    part = normalise(part)
    if _is_latin(part):
        # Latin script: match at the start of a word, so "passport" finds "passports"; a part
        # written with a trailing space ("car ") must end the word too, so it misses "care".
        return re.compile(r"(?<!\w)" + re.escape(part) + (r"(?!\w)" if whole_word else ""))
    return re.compile(re.escape(part))


class Lexicon:
    """Terms per language; a term is a phrase, or a list of parts that must all appear."""

    def __init__(self, terms_by_language: dict[str, Sequence[str | Sequence[str]]]) -> None:
        self._terms: dict[str, list[_Term]] = {}
        for lang, terms in terms_by_language.items():
            compiled = []
            for term in terms or ():
                parts = [term] if isinstance(term, str) else list(term)
                parts = [p for p in parts if p and p.strip()]
                if not parts:
                    continue
                compiled.append(_Term(" + ".join(parts), tuple(_compile_part(p) for p in parts)))
            self._terms[lang] = compiled

    @property
    def languages(self) -> list[str]:
        return list(self._terms)

    def matches(self, normalised_text: str, languages: Iterable[str]) -> list[str]:
        """Labels of the terms (in any of `languages`) that match the normalised text."""
        found: list[str] = []
        for lang in languages:
            for term in self._terms.get(lang, ()):
                if all(p.search(normalised_text) for p in term.patterns):
                    found.append(term.label)
        return found
