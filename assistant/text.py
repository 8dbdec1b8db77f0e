"""Text normalisation shared by the lexicon matchers and input cleaning."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

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


def strip_invisible(text: str) -> str:
    """Only the invisible characters (tags, zero-width, bidi overrides); for any request field."""
    return _INVISIBLE.sub("", text)


def normalise(text: str) -> str:
    """NFKC + casefold + single spaces: the form every lexicon term is matched against."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _is_latin(part: str) -> bool:
    return all(ord(ch) < 0x250 for ch in part if ch.isalpha())


@dataclass(frozen=True)
class _Part:
    needle: str  # normalised text that must occur
    pattern: re.Pattern[str] | None  # word-boundary check for Latin script, run only on a hit


def _make_part(part: str) -> _Part:
    whole_word = part.endswith(" ")
    needle = normalise(part)
    if _is_latin(needle):
        # Latin script: match at the start of a word, so "passport" finds "passports"; a part
        # written with a trailing space ("car ") must end the word too, so it misses "care".
        rx = r"(?<!\w)" + re.escape(needle) + (r"(?!\w)" if whole_word else "")
        return _Part(needle, re.compile(rx))
    return _Part(needle, None)


@dataclass(frozen=True)
class _Term:
    label: str  # what matched, for explanations
    parts: tuple[int, ...]  # indexes into the lexicon's part table


class Lexicon:
    """Terms per language; a term is a phrase, or a list of parts that must all appear.

    Lexicons hold thousands of parts and a message contains almost none of them, so every
    needle is found in one pass over the text (an Aho-Corasick automaton) and only the terms
    whose first part occurs are looked at.
    """

    def __init__(self, terms_by_language: dict[str, Sequence[str | Sequence[str]]]) -> None:
        self._parts: list[_Part] = []
        index: dict[str, int] = {}
        self._terms: dict[str, list[_Term]] = {}
        for lang, terms in terms_by_language.items():
            compiled = []
            for term in terms or ():
                raw = [term] if isinstance(term, str) else list(term)
                raw = [p for p in raw if p and p.strip()]
                if not raw:
                    continue
                ids = []
                for p in raw:
                    if p not in index:
                        index[p] = len(self._parts)
                        self._parts.append(_make_part(p))
                    ids.append(index[p])
                compiled.append(_Term(" + ".join(raw), tuple(ids)))
            self._terms[lang] = compiled
        self._by_first: dict[int, list[tuple[str, _Term]]] = {}
        for lang, terms in self._terms.items():
            for term in terms:
                self._by_first.setdefault(term.parts[0], []).append((lang, term))
        # needle → the parts written that way ("car" and "car " share a needle)
        by_needle: dict[str, list[int]] = {}
        for i, part in enumerate(self._parts):
            by_needle.setdefault(part.needle, []).append(i)
        self._automaton = ahocorasick.Automaton()
        for needle, ids in by_needle.items():
            self._automaton.add_word(needle, tuple(ids))
        if by_needle:
            self._automaton.make_automaton()

    @property
    def languages(self) -> list[str]:
        return list(self._terms)

    def _parts_in(self, normalised_text: str) -> set[int]:
        if not self._parts:
            return set()
        present: set[int] = set()
        for _end, ids in self._automaton.iter(normalised_text):
            present.update(ids)
        return {
            i
            for i in present
            if self._parts[i].pattern is None or self._parts[i].pattern.search(normalised_text)
        }

    def matches(self, normalised_text: str, languages: Iterable[str]) -> list[str]:
        """Labels of the terms (in any of `languages`) that match the normalised text."""
        found = self._parts_in(normalised_text)
        if not found:
            return []
        wanted = set(languages)
        return [
            term.label
            for first in sorted(found)
            for lang, term in self._by_first.get(first, ())
            if lang in wanted and all(i in found for i in term.parts[1:])
        ]
