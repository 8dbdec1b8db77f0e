"""`harbour kb check`: the checks the curated knowledge base must pass before it ships.

Errors fail the check (CI runs it before the tests); warnings are printed and do not.

- front matter: the schema in `schema.py`, no unknown keys, 3–6 key points, ≥ 3 questions,
  confidence notes, review dates in order;
- duplicate ids (and, as warnings, duplicate titles and questions);
- translations: all 12 non-English languages, each with a title, the same number of key points
  as the English and ≥ 3 questions, written in the language's script;
- internal links `[text](guide:id)` and `/guide/id` point to articles that exist;
- source URLs present (warning on duplicates);
- `review_by` passed: a warning listing the stale articles;
- phone numbers in articles, translations, the safety texts and the page strings are all in
  `verified_numbers.yaml`, and a number in an English key point or safety text is kept in
  each translation of it. Digits inside URLs, dates, years, money amounts, times and
  percentages are not phone numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import frontmatter
import yaml
from pydantic import ValidationError

from assistant.languages import SUPPORTED_LANGUAGES
from knowledge_base.schema import Article

ROOT = Path(__file__).resolve().parent.parent
VERIFIED_NUMBERS = ROOT / "knowledge_base" / "verified_numbers.yaml"
SAFETY_TEXT = ROOT / "assistant" / "safeguarding" / "safety_text.yaml"
MESSAGES_DIR = ROOT / "assistant" / "messages"

TRANSLATED_LANGUAGES = tuple(c for c in SUPPORTED_LANGUAGES if c != "en")
FRONT_MATTER_KEYS = frozenset(
    {
        "id",
        "title",
        "topic",
        "summary",
        "source_urls",
        "last_reviewed",
        "review_by",
        "local_authority",
        "confidence",
        "key_points",
        "questions",
    }
)
TRANSLATION_KEYS = frozenset({"title", "key_points", "questions"})
MIN_KEY_POINTS, MAX_KEY_POINTS = 3, 6
MAX_KEY_POINT_WORDS = 35
MIN_QUESTIONS = 3
BODY_WORDS = (150, 450)
MAX_REVIEW_MONTHS = 12

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    where: str  # a file, relative to the repository where possible
    message: str
    article_id: str | None = None


@dataclass
class CheckReport:
    articles: int = 0
    findings: list[Finding] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # ids whose review_by has passed

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def format(self) -> str:
        """A per-file list, errors first, then the stale articles and a one-line total."""
        by_file: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            by_file[f.where].append(f)
        lines: list[str] = []
        def has_errors(where: str) -> bool:
            return any(f.severity == "error" for f in by_file[where])

        for where in sorted(by_file, key=lambda w: (not has_errors(w), w)):
            items = sorted(by_file[where], key=lambda f: f.severity != "error")
            ident = next((f.article_id for f in items if f.article_id), None)
            lines.append(f"{where}" + (f" ({ident})" if ident and ident not in where else ""))
            lines.extend(f"  {f.severity.upper():<8}{f.message}" for f in items)
        if self.stale:
            lines.append(f"Past their review_by date ({len(self.stale)}): {', '.join(self.stale)}")
        verdict = "OK" if self.ok else "FAILED"
        lines.append(
            f"{self.articles} articles checked: {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings. {verdict}"
        )
        return "\n".join(lines)


# --- phone numbers -----------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedNumber:
    number: str
    name: str
    source: str

    @property
    def digits(self) -> str:
        return normalise_digits(self.number)


def normalise_digits(number: str) -> str:
    """Digits only, with +44 written as the national 0 so both forms compare equal."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


# Spans that hold digits but are never phone numbers: blanked before looking for numbers.
_NOT_PHONE = re.compile(
    r"""
      (?:https?://|www\.)[^\s)>\]"']+            # URLs
    | \]\([^)\s]*\)                              # markdown link targets
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+               # email addresses
    | guide:[a-z0-9-]+
    | \b\d{4}-\d{1,2}-\d{1,2}\b                  # ISO dates
    | \b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b          # 1/12/2026, 01.12.2026
    | \b(?:19|20)\d{2}\s?[-–/]\s?(?:19|20)?\d{2}\b   # 2025-26, 2025/2026 (years, tax years)
    | [£$€₹]\s?\d[\d,]*(?:\.\d+)?                # money
    | \b\d+(?:\.\d+)?\s?(?:%|p\b|pence\b|GBP\b)  # percentages, pence
    | \b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b           # 10,000
    | \b\d+[.:]\d+\b                             # 4.45pm, 09:00, 37.5 hours
    | \b24/7\b
    """,
    re.VERBOSE,
)
# A run of digit groups separated by single spaces or hyphens, not glued to letters.
_DIGIT_RUN = re.compile(r"(?<![\d+.,])\+?\d+(?:[ \u00a0-]\d+)*(?![\w])")
_LATIN_PHONE_WORDS = re.compile(
    r"\b(?:call|calls|calling|phone|phoning|telephone|tel|ring|dial|text|txt|sms|helpline|"
    r"hotline|freephone|adviceline|number|tumawag|tawagan|tawag|numero|i-text|mag-text|pe|"
    r"fóònù|nọ́mbà|nomba|fonera|runhare|nhamba|simu|namba|nambari)\b",
    re.IGNORECASE,
)
# Scripts without word boundaries that \b understands: match as substrings.
_OTHER_PHONE_WORDS = (
    "कॉल", "काल", "फोन", "फ़ोन", "नंबर", "नम्बर", "हेल्पलाइन", "डायल", "टेक्स्ट",  # hi, ne
    "വിളിക്ക", "ഫോൺ", "നമ്പർ", "ഹെൽപ്പ്",  # ml
    "ਕਾਲ", "ਫ਼ੋਨ", "ਫੋਨ", "ਨੰਬਰ", "ਹੈਲਪਲਾਈਨ",  # pa
    "કૉલ", "કોલ", "ફોન", "નંબર", "હેલ્પલાઇન",  # gu
    "کال", "فون", "نمبر", "ہیلپ لائن",  # ur
    "কল কর", "কল দিন", "ফোন", "নম্বর", "হেল্পলাইন",  # bn
    "அழை", "தொலைபேசி", "எண்ணில்", "எண்ணை", "உதவி எண்",  # ta
)
_CONTEXT_CHARS = 30
_UNIT_AFTER = re.compile(
    r"\s*(?:days?|weeks?|months?|years?|hours?|minutes?|people|workers|words|learners|"
    r"languages|miles|times|pounds|members|councils|articles)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PhoneMatch:
    text: str  # as written
    digits: str
    kind: Literal["long", "shaped", "short"]


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


def _has_phone_context(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - _CONTEXT_CHARS) : end + _CONTEXT_CHARS]
    return bool(_LATIN_PHONE_WORDS.search(window)) or any(w in window for w in _OTHER_PHONE_WORDS)


def find_phone_numbers(text: str, verified: Iterable[str] = ()) -> list[PhoneMatch]:
    """Everything in `text` that is, or looks like, a phone number.

    - long: starts with 0 or + and has ≥ 6 digits (UK numbers have 10–11);
    - shaped: several groups of ≥ 3 digits ("116 123", "18001 101");
    - short: one group of 3–6 digits that is not a year, and either is a verified number
      ("999", "85258") or sits next to a word like "call", "text", "कॉल", "fonera".
    """
    verified_digits = set(verified)
    clean = _NOT_PHONE.sub(_blank, text)
    found: list[PhoneMatch] = []
    for m in _DIGIT_RUN.finditer(clean):
        raw = m.group()
        groups = re.findall(r"\d+", raw)
        digits = normalise_digits(raw)
        if raw.startswith(("0", "+")):
            if len(digits) >= 6:
                found.append(PhoneMatch(raw, digits, "long"))
            continue
        if len(groups) > 1:
            shaped = all(len(g) >= 3 for g in groups) and len(digits) >= 6
            if shaped or digits in verified_digits:
                found.append(PhoneMatch(raw, digits, "shaped"))
            else:  # "10 15" or "2026 130": look at each group on its own
                for g in re.finditer(r"\d+", raw):
                    found.extend(
                        _short(clean, m.start() + g.start(), m.start() + g.end(), verified_digits)
                    )
            continue
        found.extend(_short(clean, m.start(), m.end(), verified_digits))
    return found


def _short(text: str, start: int, end: int, verified: set[str]) -> list[PhoneMatch]:
    raw = text[start:end]
    if not 3 <= len(raw) <= 6:
        return []
    if raw in verified:
        return [PhoneMatch(raw, raw, "short")]
    if len(raw) == 4 and raw[:2] in ("19", "20"):
        return []  # a year
    if _UNIT_AFTER.match(text, end) or not _has_phone_context(text, start, end):
        return []
    return [PhoneMatch(raw, raw, "short")]


def load_verified_numbers(path: Path, report: CheckReport | None = None) -> list[VerifiedNumber]:
    """The one list of phone numbers that may appear; problems in it go into `report`."""
    where = _rel(path)
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        if report is not None:
            report.findings.append(Finding("error", where, f"cannot be read: {exc}"))
        return []
    numbers: list[VerifiedNumber] = []
    seen: set[str] = set()
    for i, e in enumerate(entries if isinstance(entries, list) else [], 1):
        if not isinstance(e, dict) or not isinstance(e.get("number"), str):
            _add(report, "error", where, f"entry {i}: needs a quoted `number`")
            continue
        n = VerifiedNumber(e["number"], str(e.get("name") or ""), str(e.get("source") or ""))
        if not n.name:
            _add(report, "error", where, f"{n.number}: needs a `name`")
        if not re.match(r"https?://", n.source):
            _add(report, "error", where, f"{n.number}: needs a `source` URL")
        if n.number in seen:
            _add(report, "error", where, f"{n.number}: listed twice")
        seen.add(n.number)
        numbers.append(n)
    return numbers


class _PhoneChecker:
    def __init__(self, numbers: list[VerifiedNumber]) -> None:
        self.digits = {n.digits for n in numbers}
        self.spellings: dict[str, set[str]] = defaultdict(set)
        for n in numbers:
            self.spellings[n.digits].add(" ".join(n.number.split()))

    def check(self, text: str, label: str) -> Iterator[tuple[Severity, str]]:
        for m in find_phone_numbers(text, self.digits):
            if m.digits not in self.digits:
                yield "error", f"{label}: phone number {m.text!r} is not in verified_numbers.yaml"
            elif " ".join(m.text.split()) not in self.spellings[m.digits]:
                known = " or ".join(sorted(self.spellings[m.digits]))
                yield "warning", f"{label}: {m.text!r} is written differently from {known!r}"

    def verified_in(self, text: str) -> set[str]:
        return {m.digits for m in find_phone_numbers(text, self.digits) if m.digits in self.digits}

    def kept(self, english: str, translated: str, label: str) -> Iterator[tuple[Severity, str]]:
        """Each verified number in the English text appears in its translation."""
        missing = self.verified_in(english) - self.verified_in(translated)
        for digits in sorted(missing):
            shown = " or ".join(sorted(self.spellings[digits]))
            yield "error", f"{label}: lacks the phone number {shown} that the English has"


# --- articles ----------------------------------------------------------------------------

_GUIDE_LINK = re.compile(r"\]\(guide:([a-z0-9-]+)\)")
# Anything that looks meant as an internal link: "(guide: x)", "guide:x" (not prose "guide: ").
_GUIDE_ANY = re.compile(r"\(\s*guide:|(?<![\w/])guide:(?=\S)")
_GUIDE_PATH = re.compile(r"\]\((?:https?://[^/)]+)?/guide/([^)?#\s]+)[^)]*\)")
_SCRIPTS: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {
    "hi": ("Devanagari", ((0x0900, 0x097F),)),
    "ne": ("Devanagari", ((0x0900, 0x097F),)),
    "ml": ("Malayalam", ((0x0D00, 0x0D7F),)),
    "pa": ("Gurmukhi", ((0x0A00, 0x0A7F),)),
    "gu": ("Gujarati", ((0x0A80, 0x0AFF),)),
    "ur": ("Arabic", ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))),
    "bn": ("Bengali", ((0x0980, 0x09FF),)),
    "ta": ("Tamil", ((0x0B80, 0x0BFF),)),
}


def _in_script(text: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in ranges)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _add(report: CheckReport | None, sev: Severity, where: str, msg: str, ident=None) -> None:
    if report is not None:
        report.findings.append(Finding(sev, where, msg, ident))


def _word_count(markdown: str) -> int:
    """Words as a reader sees them: link targets dropped, "£12.71" one word."""
    text = re.sub(r"\]\([^)]*\)", "]", markdown)
    return sum(1 for token in text.split() if re.search(r"\w", token))


def _months_between(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 30.44


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the check runs in CI


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'front matter'}: {e['msg']}" for e in exc.errors()
    )


@dataclass
class _Parsed:
    article: Article | None
    metadata: dict[str, Any]
    translations: dict[str, Any] | None  # None: no .tr.yaml beside the article
    problem: str = ""


def _parse(path: Path) -> _Parsed:
    """Like `schema.load_article` (same model, same rules), keeping the raw data for checks."""
    tr_path = path.with_name(path.stem + ".tr.yaml")
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))  # libyaml when installed
    except Exception as exc:  # yaml errors come in many classes
        return _Parsed(None, {}, None, f"front matter does not parse: {exc}")
    metadata = dict(post.metadata)
    translations: dict[str, Any] | None = None
    if tr_path.exists():
        try:
            loaded = yaml.load(tr_path.read_text(encoding="utf-8"), Loader=_Loader)
        except yaml.YAMLError as exc:
            return _Parsed(None, metadata, {}, f"{tr_path.name} does not parse: {exc}")
        translations = loaded if isinstance(loaded, dict) else {}
        if loaded is not None and not isinstance(loaded, dict):
            return _Parsed(None, metadata, {}, f"{tr_path.name} must map languages to entries")
    data = {k: v for k, v in metadata.items() if k not in ("body", "path", "translations")}
    try:
        article = Article(**data, translations=translations or {}, body=post.content,
                          path=str(path))
    except ValidationError as exc:
        return _Parsed(None, metadata, translations, _validation_message(exc))
    if article.id != path.stem:
        return _Parsed(None, metadata, translations,
                       f"id {article.id!r} must equal the file name {path.stem!r}")
    if article.topic != path.parent.name:
        return _Parsed(None, metadata, translations,
                       f"topic {article.topic!r} must equal its folder {path.parent.name!r}")
    return _Parsed(article, metadata, translations)


def _check_front_matter(a: Article, raw: dict[str, Any], today: dt.date) -> Iterator[tuple]:
    for key in sorted(set(raw) - FRONT_MATTER_KEYS):
        yield "error", f"unknown front-matter key {key!r} (allowed: see FORMAT.md)"
    for key in ("title", "summary", "confidence"):
        if not str(getattr(a, key)).strip():
            yield "error", f"`{key}` is missing or empty"
    if not MIN_KEY_POINTS <= len(a.key_points) <= MAX_KEY_POINTS:
        yield "error", (
            f"has {len(a.key_points)} key points; needs {MIN_KEY_POINTS}–{MAX_KEY_POINTS}"
        )
    for i, kp in enumerate(a.key_points, 1):
        if not kp.strip():
            yield "error", f"key point {i} is empty"
        elif len(kp.split()) > MAX_KEY_POINT_WORDS:
            yield "warning", (
                f"key point {i} has {len(kp.split())} words (at most {MAX_KEY_POINT_WORDS})"
            )
    if len(a.questions) < MIN_QUESTIONS:
        yield "error", f"has {len(a.questions)} questions; needs at least {MIN_QUESTIONS}"
    words = _word_count(a.body)
    if not BODY_WORDS[0] <= words <= BODY_WORDS[1]:
        yield "warning", f"body has {words} words (aim for {BODY_WORDS[0]}–{BODY_WORDS[1]})"
    if a.body.strip() and not re.search(r"^## ", a.body, re.MULTILINE):
        yield "warning", "body has no ## headings"
    if a.review_by <= a.last_reviewed:
        yield "error", f"review_by {a.review_by} is not after last_reviewed {a.last_reviewed}"
    elif _months_between(a.last_reviewed, a.review_by) > MAX_REVIEW_MONTHS + 0.5:
        yield "warning", (
            f"review_by {a.review_by} is more than {MAX_REVIEW_MONTHS} months after "
            f"last_reviewed {a.last_reviewed}"
        )
    if a.last_reviewed > today:
        yield "warning", f"last_reviewed {a.last_reviewed} is in the future"
    if a.review_by < today:
        yield "warning", f"stale: review_by {a.review_by} has passed"
    if a.id.startswith("council-"):
        slug = a.id.removeprefix("council-")
        if a.local_authority not in (slug, "regional"):
            yield "warning", (
                f"local_authority is {a.local_authority!r}; a council page is usually {slug!r}"
            )
    urls = [str(u) for u in a.source_urls]
    for u in sorted({u for u in urls if urls.count(u) > 1}):
        yield "warning", f"source URL listed twice: {u}"


def _check_translations(
    a: Article, raw: dict[str, Any] | None, phones: _PhoneChecker
) -> Iterator[tuple]:
    if raw is None:
        yield "error", f"no translations file {a.id}.tr.yaml"
        return
    if "en" in raw:
        yield "error", "the translations file has an `en` entry; the English lives in the .md"
    for lang in TRANSLATED_LANGUAGES:
        name = SUPPORTED_LANGUAGES[lang]
        tr = a.translations.get(lang)
        if tr is None:
            yield "error", f"[{lang}] {name} translation is missing"
            continue
        entry = raw.get(lang) if isinstance(raw.get(lang), dict) else {}
        for key in sorted(set(entry) - TRANSLATION_KEYS):
            yield "error", f"[{lang}] unknown key {key!r} (title, key_points, questions)"
        if not tr.title.strip():
            yield "error", f"[{lang}] title is empty"
        if len(tr.key_points) != len(a.key_points):
            yield "error", (
                f"[{lang}] has {len(tr.key_points)} key points; the English has "
                f"{len(a.key_points)}"
            )
        if len(tr.questions) < MIN_QUESTIONS:
            yield "error", (
                f"[{lang}] has {len(tr.questions)} questions; needs at least {MIN_QUESTIONS}"
            )
        texts = [("title", tr.title, a.title)]
        texts += [
            (f"key point {i}", kp, a.key_points[i - 1] if i <= len(a.key_points) else "")
            for i, kp in enumerate(tr.key_points, 1)
        ]
        texts += [(f"question {i}", q, None) for i, q in enumerate(tr.questions, 1)]
        script = _SCRIPTS.get(lang)
        for label, text, english in texts:
            if not text.strip():
                yield "error", f"[{lang}] {label} is empty"
                continue
            if script and not _in_script(text, script[1]):
                yield "error", f"[{lang}] {label} is not in {script[0]} script: {text[:60]!r}"
            elif not script and english is not None and text.strip() == english.strip():
                yield "error", f"[{lang}] {label} is the English text, not a translation"
            yield from phones.check(text, f"[{lang}] {label}")
            if english:
                yield from phones.kept(english, text, f"[{lang}] {label}")
            if "guide:" in text or "](" in text:
                yield "warning", f"[{lang}] {label} contains a link; key points are plain text"


def _check_links(a: Article, ids: set[str]) -> Iterator[tuple]:
    texts = [("body", a.body), ("summary", a.summary)]
    texts += [(f"key point {i}", kp) for i, kp in enumerate(a.key_points, 1)]
    for label, text in texts:
        good = [m.span() for m in _GUIDE_LINK.finditer(text)]
        for m in _GUIDE_LINK.finditer(text):
            target = m.group(1)
            if target not in ids:
                yield "error", f"{label}: broken link guide:{target} (no such article)"
            elif target == a.id:
                yield "warning", f"{label}: links to itself"
        for m in _GUIDE_ANY.finditer(text):
            if not any(lo <= m.start() < hi for lo, hi in good):
                yield "error", (
                    f"{label}: malformed internal link {text[max(0, m.start() - 2):m.end() + 12]!r}"
                    " (write [text](guide:article-id))"
                )
        for m in _GUIDE_PATH.finditer(text):
            if m.group(1) not in ids:
                yield "error", f"{label}: broken link /guide/{m.group(1)} (no such article)"
        if label != "body" and ("guide:" in text or "](" in text):
            yield "warning", f"{label} contains a link; only the body should"


def check_knowledge_base(
    content_dir: Path,
    *,
    verified_numbers: Path = VERIFIED_NUMBERS,
    safety_text: Path | None = SAFETY_TEXT,
    messages_dir: Path | None = MESSAGES_DIR,
    today: dt.date | None = None,
) -> CheckReport:
    """Run every check over `content_dir` (and the fixed texts); nothing stops at the first."""
    today = today or dt.date.today()
    report = CheckReport()
    phones = _PhoneChecker(load_verified_numbers(verified_numbers, report))
    paths = sorted(Path(content_dir).glob("*/*.md"))
    report.articles = len(paths)
    if not paths:
        _add(report, "error", _rel(Path(content_dir)), "no articles found (<topic>/<id>.md)")
    for tr_path in sorted(Path(content_dir).glob("*/*.tr.yaml")):
        if not tr_path.with_name(tr_path.name.removesuffix(".tr.yaml") + ".md").exists():
            _add(report, "error", _rel(tr_path), "translations file without an article beside it")

    loaded: list[tuple[Path, Article]] = []
    raw: dict[Path, _Parsed] = {}
    for path in paths:
        parsed = raw[path] = _parse(path)
        if parsed.article is None:
            _add(report, "error", _rel(path), f"schema: {parsed.problem}")
        else:
            loaded.append((path, parsed.article))

    ids = {a.id for _, a in loaded} | {p.stem for p in paths}
    by_id: dict[str, list[str]] = defaultdict(list)
    by_title: dict[str, list[str]] = defaultdict(list)
    by_question: dict[str, list[str]] = defaultdict(list)
    for path, a in loaded:
        by_id[a.id].append(_rel(path))
        by_title[a.title.strip().casefold()].append(a.id)
        for q in a.questions:
            by_question[q.strip().casefold()].append(a.id)

    for path, a in loaded:
        where = _rel(path)

        def emit(items: Iterable[tuple], where: str = where, ident: str = a.id) -> None:
            for sev, msg in items:
                _add(report, sev, where, msg, ident)

        if len(by_id[a.id]) > 1:
            others = ", ".join(p for p in by_id[a.id] if p != where)
            emit([("error", f"duplicate id {a.id!r} (also {others})")])
        same_title = sorted(set(by_title[a.title.strip().casefold()]) - {a.id})
        if same_title:
            emit([("warning", f"same title as {', '.join(same_title)}")])
        for q in a.questions:
            dup = sorted(set(by_question[q.strip().casefold()]) - {a.id})
            if dup:
                emit([("warning", f"question {q!r} is also asked in {', '.join(dup)}")])
        emit(_check_front_matter(a, raw[path].metadata, today))
        if a.review_by < today:
            report.stale.append(a.id)
        emit(_check_translations(a, raw[path].translations, phones))
        emit(_check_links(a, ids))
        fields = [("title", a.title), ("summary", a.summary), ("body", a.body)]
        fields += [("confidence", a.confidence)]
        fields += [(f"key point {i}", kp) for i, kp in enumerate(a.key_points, 1)]
        fields += [(f"question {i}", q) for i, q in enumerate(a.questions, 1)]
        for label, text in fields:
            emit(phones.check(text, label))

    if safety_text is not None:
        _check_fixed_texts(report, phones, safety_text, _load_yaml(safety_text, report))
    if messages_dir is not None:
        catalogs = {p.stem: _load_yaml(p, report) for p in sorted(messages_dir.glob("*.yaml"))}
        _check_catalogs(report, phones, messages_dir, catalogs)
    return report


def _load_yaml(path: Path, report: CheckReport) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        _add(report, "error", _rel(path), f"cannot be read: {exc}")
        return None


def _strings(node: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{prefix}[{i}]")
    elif isinstance(node, str):
        yield prefix, node


def _check_fixed_texts(report, phones: _PhoneChecker, path: Path, texts: Any) -> None:
    """safety_text.yaml: {language: {severity: text}}; numbers kept from the English."""
    where = _rel(path)
    if not isinstance(texts, dict):
        _add(report, "error", where, "must map each language to its texts")
        return
    english = dict(_strings(texts.get("en") or {}))
    for lang, node in texts.items():
        for key, text in _strings(node):
            for sev, msg in phones.check(text, f"{lang}.{key}"):
                _add(report, sev, where, msg)
            if lang != "en" and key in english:
                for sev, msg in phones.kept(english[key], text, f"{lang}.{key}"):
                    _add(report, sev, where, msg)
    for lang in TRANSLATED_LANGUAGES:
        if lang not in texts:
            _add(report, "error", where, f"no safety text in {SUPPORTED_LANGUAGES[lang]} ({lang})")


def _check_catalogs(report, phones: _PhoneChecker, folder: Path, catalogs: dict) -> None:
    """assistant/messages/<lang>.yaml: numbers verified, and kept from the English string."""
    english = dict(_strings(catalogs.get("en") or {}))
    for lang in TRANSLATED_LANGUAGES:
        if lang not in catalogs:
            _add(report, "error", _rel(folder / f"{lang}.yaml"), "page strings file is missing")
    for lang, data in catalogs.items():
        where = _rel(folder / f"{lang}.yaml")
        untranslated = sorted(set(english) - dict(_strings(data or {})).keys())
        if lang != "en" and untranslated:
            _add(report, "warning", where,
                 f"{len(untranslated)} page strings not translated: {', '.join(untranslated)}")
        for key, text in _strings(data or {}):
            for sev, msg in phones.check(text, key):
                _add(report, sev, where, msg)
            if lang != "en" and key in english:
                for sev, msg in phones.kept(english[key], text, key):
                    _add(report, sev, where, msg)
