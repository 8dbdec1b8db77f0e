"""Language identification: a detector protocol, two implementations, and the policy around them.

The policy (explicit choice wins; very short messages keep the session's language; romanised
Hindi/Urdu is recognised by its function words; a confident unsupported language is reported as
such) lives in `LanguagePolicy`, so detectors can be compared on equal terms by the eval.
"""

from __future__ import annotations

import re
from typing import Protocol

from assistant.languages import SUPPORTED_LANGUAGES
from assistant.models import DetectedLanguage


class LanguageDetector(Protocol):
    """Ranks candidate languages (ISO 639-1) for a text, best first, with probabilities."""

    name: str

    def rank(self, text: str) -> list[tuple[str, float]]: ...


class Py3LangidDetector:
    """py3langid: deterministic, 0.1 ms per message, knows Yoruba and Shona."""

    name = "py3langid"

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def rank(self, text: str) -> list[tuple[str, float]]:
        if not text.strip():
            return []
        return [(lang, float(p)) for lang, p in self._identifier.rank(text)[:10]]


class LangdetectDetector:
    """langdetect, seeded so results are repeatable. Has no Yoruba or Shona."""

    name = "langdetect"

    def __init__(self) -> None:
        from langdetect import DetectorFactory

        DetectorFactory.seed = 0
        self._factory = DetectorFactory()
        self._factory.load_profile(_langdetect_profiles())
        self._factory.seed = 0

    def rank(self, text: str) -> list[tuple[str, float]]:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.append(text)
        try:
            found = detector.get_probabilities()
        except LangDetectException:  # raised on empty, digit-only or emoji-only text
            return []
        return [(_LANGDETECT_CODES.get(p.lang, p.lang), float(p.prob)) for p in found]


_LANGDETECT_CODES = {"zh-cn": "zh", "zh-tw": "zh"}


def _langdetect_profiles() -> str:
    import os

    import langdetect

    return os.path.join(os.path.dirname(langdetect.__file__), "profiles")


# Function words that mark romanised Hindi/Urdu (Hinglish); detectors get these wrong.
_ROMANISED_HINDUSTANI = frozenset(
    [
        "mera",
        "meri",
        "mere",
        "mujhe",
        "mujhko",
        "hai",
        "hain",
        "nahi",
        "nahin",
        "nhi",
        "kya",
        "kyun",
        "kaise",
        "kaisa",
        "karun",
        "karna",
        "karu",
        "kar",
        "raha",
        "rahi",
        "rahe",
        "gaya",
        "gayi",
        "hoga",
        "hogi",
        "tha",
        "thi",
        "aap",
        "apna",
        "apni",
        "hum",
        "humara",
        "hamara",
        "tum",
        "tera",
        "teri",
        "kuch",
        "koi",
        "abhi",
        "bahut",
        "bohot",
        "paisa",
        "paise",
        "naukri",
        "kaam",
        "malik",
        "sahab",
        "batao",
        "bataye",
        "chahiye",
        "sakta",
        "sakti",
        "lekin",
        "aur",
        "yahan",
        "wahan",
        "kab",
        "kitna",
        "kitne",
        "mil",
        "milegi",
        "mila",
        "diya",
        "liya",
        "jaldi",
        "madad",
        "kahan",
        "liye",
        "rabta",
        "batayen",
        "bataiye",
        "karoon",
        "hoon",
        "mein",
        "bhi",
    ]
)
# Words that occur in Nepali but not Hindi: detectors trained on little Nepali often say Hindi.
_NEPALI_MARKERS = frozenset(
    [
        "छ",
        "छु",
        "छैन",
        "छन्",
        "छौं",
        "हुन्छ",
        "पर्छ",
        "गर्नु",
        "गर्ने",
        "गर्छ",
        "मेरो",
        "मैले",
        "हाम्रो",
        "तपाईं",
        "तपाईंको",
        "बाट",
        "लाई",
        "कसरी",
        "होला",
        "थाहा",
        "पाइन्छ",
        "नयाँ",
        "एउटा",
        "केही",
        "भयो",
        "गरेको",
        "सक्छु",
        "चाहन्छु",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")


def romanised_hindustani_share(text: str) -> float:
    words = [w.casefold() for w in _WORD.findall(text)]
    if not words:
        return 0.0
    return sum(w in _ROMANISED_HINDUSTANI for w in words) / len(words)


def _has_nepali_markers(text: str) -> bool:
    words = {w.strip("?,.!।") for w in text.split()}
    return bool(words & _NEPALI_MARKERS) or any(w.endswith(("बाट", "लाई")) for w in words)


class LanguagePolicy:
    """Decides the reply language for a message."""

    def __init__(
        self,
        detector: LanguageDetector,
        min_words_to_switch: int = 3,
        unsupported_confidence: float = 0.9,
    ) -> None:
        self.detector = detector
        self.min_words_to_switch = min_words_to_switch
        self.unsupported_confidence = unsupported_confidence

    def detect(
        self, text: str, *, explicit: str | None = None, fallback: str | None = None
    ) -> DetectedLanguage:
        if explicit:
            return DetectedLanguage(explicit, explicit in SUPPORTED_LANGUAGES, "explicit")
        words = _WORD.findall(text)
        if len(words) < self.min_words_to_switch:
            if fallback:
                return DetectedLanguage(fallback, fallback in SUPPORTED_LANGUAGES, "session")
            # Latin-script one-word messages ("ok", "salamat") are too ambiguous to switch on.
            if not words or all(ch.isascii() for w in words for ch in w):
                return DetectedLanguage("en", True, "default")
        if len(words) >= 3 and romanised_hindustani_share(text) >= 0.25:
            code = fallback if fallback in ("hi", "ur") else "hi"
            return DetectedLanguage(code, True, "romanised")
        ranking = self.detector.rank(text)
        if not ranking:
            return DetectedLanguage(fallback or "en", True, "session" if fallback else "default")
        top, top_p = ranking[0]
        if (
            top not in SUPPORTED_LANGUAGES
            and top_p >= self.unsupported_confidence
            and len(words) >= 4
        ):
            return DetectedLanguage(top, False, "detected", top_p)
        for code, p in ranking:
            if code in SUPPORTED_LANGUAGES:
                if code == "hi" and _has_nepali_markers(text):
                    return DetectedLanguage("ne", True, "detected", p)
                return DetectedLanguage(code, True, "detected", p)
        return DetectedLanguage(fallback or "en", True, "session" if fallback else "default")
