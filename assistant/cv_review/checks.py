"""The deterministic CV rules: UK conventions and what UK care employers look for.

Every rule reads the REDACTED visible text (placeholders such as `<EMAIL_ADDRESS>` and
`<DATE_OF_BIRTH>` tell it what was there) plus facts from parsing (pages, images, hidden text).
Rules return finding ids; wording lives in the message catalogs, so rules stay language-free.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

TARGET_ROLES = ("care_worker", "senior_care_worker", "support_worker", "nurse")

# section id → finding ids, in the order they are reported
SECTIONS: dict[str, tuple[str, ...]] = {
    "hidden_text": ("hidden_text", "invisible_characters"),
    "layout": ("too_long", "too_short"),
    "contact": ("contact_missing", "contact_incomplete"),
    "personal_details": ("id_numbers", "photo", "date_of_birth", "marital_status", "religion"),
    "personal_statement": ("statement_missing", "statement_too_long"),
    "experience": (
        "experience_missing",
        "dates_missing",
        "dates_months_missing",
        "not_reverse_chronological",
        "gap_unexplained",
    ),
    "qualifications": (
        "nmc_missing",
        "care_certificate_missing",
        "level3_missing",
        "qualification_missing",
    ),
    "training": ("training_missing",),
    "dbs": ("dbs_missing",),
    "right_to_work": ("right_to_work_missing", "right_to_work_unclear"),
    "english": ("english_missing",),
    "driving": ("driving_licence_exchange", "driving_missing"),
    "references": ("references_missing",),
}
SECTION_OF = {fid: sec for sec, ids in SECTIONS.items() for fid in ids}
FINDING_IDS = tuple(SECTION_OF)
SEVERITY: dict[str, str] = {
    "hidden_text": "high",
    "invisible_characters": "high",
    "too_long": "medium",
    "too_short": "medium",
    "contact_missing": "high",
    "contact_incomplete": "medium",
    "id_numbers": "high",
    "photo": "medium",
    "date_of_birth": "medium",
    "marital_status": "medium",
    "religion": "medium",
    "statement_missing": "medium",
    "statement_too_long": "low",
    "experience_missing": "high",
    "dates_missing": "high",
    "dates_months_missing": "medium",
    "not_reverse_chronological": "medium",
    "gap_unexplained": "medium",
    "nmc_missing": "high",
    "care_certificate_missing": "medium",
    "level3_missing": "medium",
    "qualification_missing": "low",
    "training_missing": "medium",  # low when only one to three topics are missing
    "dbs_missing": "medium",
    "right_to_work_missing": "high",
    "right_to_work_unclear": "medium",
    "english_missing": "medium",
    "driving_licence_exchange": "medium",
    "driving_missing": "low",
    "references_missing": "low",
}
TRAINING_TOPICS: dict[str, str] = {
    "manual_handling": r"manual handling|moving (?:and|&) (?:handling|positioning)|people handling|"
    r"hoist",
    "medication": r"medication|medicines?\b|administering medicine|\bemar\b|\bmar chart",
    "first_aid": r"first aid|basic life support|\bbls\b|\bcpr\b",
    "safeguarding": r"safeguarding",
    "infection_control": r"infection (?:prevention|control)|\bipc\b|hand hygiene",
    "dementia": r"dementia|alzheimer",
    "end_of_life": r"end[- ]of[- ]life|palliative",
}


@dataclass(frozen=True)
class Finding:
    id: str
    severity: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return SECTION_OF[self.id]


@dataclass(frozen=True)
class CvFacts:
    """What parsing found, apart from the text."""

    pages: int
    images: int = 0
    hidden_chars: int = 0  # white, tiny, vanished, invisible-mode or off-page text
    invisible_chars: int = 0  # Unicode tag, zero-width and bidi-control characters


# ---------------------------------------------------------------- section headings
_HEADINGS: dict[str, str] = {
    "statement": r"personal statement|personal profile|professional profile|profile|about me|"
    r"(?:professional |career )?summary|career objective|objective",
    "experience": r"(?:relevant |professional |work |care |employment |career )?experience|"
    r"employment(?: history)?|work history|career history|work experience|employment record",
    "education": r"education(?: and training| & training)?|qualifications?(?: and training)?|"
    r"education and qualifications|academic qualifications",
    "training": r"training|courses|certificates|certifications|training and certificates|"
    r"mandatory training|professional development|cpd",
    "skills": r"(?:key |core )?skills|languages|additional information|other information|"
    r"right to work|driving|interests|hobbies|personal details|personal information|contact",
    "references": r"references|referees",
}
_HEADING_RX = {
    name: re.compile(rf"^\s*(?:{rx})\s*:?\s*$", re.IGNORECASE) for name, rx in _HEADINGS.items()
}


def split_sections(text: str) -> dict[str, str]:
    """Text under each known heading ("preamble" is what comes before the first)."""
    out: dict[str, list[str]] = {"preamble": []}
    current = "preamble"
    for line in text.splitlines():
        stripped = line.strip()
        if 0 < len(stripped) <= 60:
            for name, rx in _HEADING_RX.items():
                if rx.match(stripped):
                    current = name
                    out.setdefault(current, [])
                    break
            else:
                out[current].append(line)
                continue
            continue
        out[current].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


# ---------------------------------------------------------------- dates
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?:19[6-9]\d|20[0-4]\d)"
_POINT = (
    rf"(?:(?P<{{p}}m>{_MONTH})\s+(?P<{{p}}y>{_YEAR})|"
    rf"(?P<{{p}}n>0?[1-9]|1[0-2])[/.-](?P<{{p}}ny>{_YEAR})|"
    rf"(?P<{{p}}yo>{_YEAR}))"
)
_DASH = r"\s*(?:-|–|—|to|until|till)\s*"
_NOW = r"(?P<now>present|current|now|date|today|ongoing)"
_RANGE = re.compile(
    _POINT.format(p="a") + _DASH + "(?:" + _POINT.format(p="b") + "|" + _NOW + ")",
    re.IGNORECASE,
)
# "Apr–Sep 2022" (a gap explained on one line)
_SHORT_RANGE = re.compile(
    rf"(?P<am>{_MONTH}){_DASH}(?P<bm>{_MONTH})\s+(?P<y>{_YEAR})", re.IGNORECASE
)


@dataclass(frozen=True)
class Span:
    start: int  # months since year 0 (year * 12 + month - 1)
    end: int
    months_known: bool
    position: int  # where it appears in the text


def _point(m: re.Match, p: str) -> tuple[int, bool] | None:
    if m.group(f"{p}m"):
        month = _MONTHS[m.group(f"{p}m").lower().rstrip(".")]
        return int(m.group(f"{p}y")) * 12 + month - 1, True
    if m.group(f"{p}n"):
        return int(m.group(f"{p}ny")) * 12 + int(m.group(f"{p}n")) - 1, True
    if m.group(f"{p}yo"):
        return int(m.group(f"{p}yo")) * 12, False
    return None


def find_spans(text: str, today: dt.date) -> list[Span]:
    now = today.year * 12 + today.month - 1
    spans: list[Span] = []
    taken: list[tuple[int, int]] = []
    for m in _SHORT_RANGE.finditer(text):
        year = int(m.group("y"))
        a = year * 12 + _MONTHS[m.group("am").lower().rstrip(".")] - 1
        b = year * 12 + _MONTHS[m.group("bm").lower().rstrip(".")] - 1
        spans.append(Span(a, b, True, m.start()))
        taken.append(m.span())
    for m in _RANGE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        a = _point(m, "a")
        if a is None:
            continue
        if m.group("now"):
            b: tuple[int, bool] | None = (now, a[1])
        else:
            b = _point(m, "b")
        if b is None or b[0] < a[0]:
            continue
        spans.append(Span(a[0], b[0], a[1] and b[1], m.start()))
    return sorted(spans, key=lambda s: s.position)


def _month_label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def unexplained_gaps(jobs: list[Span], everything: list[Span], min_months: int = 4):
    """Gaps of more than 3 months between jobs that no other dated line covers."""
    dated = [s for s in jobs if s.months_known]
    if len(dated) < 2:
        return []
    merged: list[list[int]] = []
    for s in sorted(everything if everything else dated, key=lambda s: s.start):
        if not s.months_known:
            continue
        if merged and s.start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], s.end)
        else:
            merged.append([s.start, s.end])
    first = min(s.start for s in dated)
    last = max(s.end for s in dated)
    gaps = []
    for (_, a_end), (b_start, _) in itertools.pairwise(merged):
        missing = b_start - a_end - 1
        if missing >= min_months and a_end >= first and b_start <= last:
            gaps.append((a_end + 1, b_start - 1))
    return gaps


# ---------------------------------------------------------------- the rules
def _has(rx: str, text: str) -> bool:
    return re.search(rx, text, re.IGNORECASE) is not None


_RIGHT_TO_WORK = (
    r"right to work|health and care (?:worker )?visa|skilled worker|work permit|\bvisa\b|"
    r"sponsor|\bbrp\b|\bevisa\b|share code|immigration status|settled status|pre-settled|"
    r"indefinite leave|\bilr\b|british citizen|uk citizen|no sponsorship required"
)
_RTW_CLEAR = (
    r"health and care (?:worker )?visa|skilled worker|british citizen|uk citizen|settled status|"
    r"pre-settled|indefinite leave|\bilr\b|dependant visa|graduate visa|no sponsorship required|"
    r"full right to work|unrestricted right to work"
)
_FOREIGN_LICENCE = (
    r"(?:indian|nigerian|filipino|philippine|kenyan|ghanaian|zimbabwean|pakistani|nepali|"
    r"nepalese|sri lankan|bangladeshi|south african|ugandan|zambian|foreign|international|"
    r"overseas|home country)\s+(?:(?:full|valid)\s+)?(?:driving|driver'?s)?\s*licen[cs]e|"
    r"international driving permit|\bidp\b"
)
_UK_LICENCE = (
    r"(?:uk|gb|british)\s+(?:full\s+|provisional\s+)?(?:driving\s+)?licen[cs]e|provisional"
)
_DRIVING = (
    r"driving licen[cs]e|driver'?s licen[cs]e|full licen[cs]e|licen[cs]e holder|\bdriver\b|"
    r"\bdrive\b|own car|own transport|car owner"
)
_ENGLISH = (
    r"\bielts\b|\boet\b|\bpte\b|\btoefl\b|\bcefr\b|\besol\b|\b[bc][12]\b|functional skills english|"
    r"gcse english|english (?:level|test|proficiency|language test)|"
    r"(?:fluent|good|excellent|advanced|proficient|native|strong|spoken and written|written and "
    r"spoken|conversational|fluency in)\s+(?:in\s+)?english|english[^\n]{0,20}\b(?:fluent|good|"
    r"excellent|advanced|proficient|native|level|mother tongue|first language)"
)
_QUALIFICATION = (
    r"\bnvq\b|\bqcf\b|\brqf\b|level [23] (?:diploma|certificate|award)|diploma in (?:adult )?"
    r"(?:health and social care|care)|\bhsc\b|nursing degree|\bbsc\b[^\n]{0,20}nursing|"
    r"gnm|general nursing|\bdegree\b|\bdiploma\b"
)
_LEVEL3 = (
    r"level 3|\bl3\b|nvq 3|rqf 3|level three|\bnursing degree|\bbsc\b[^\n]{0,20}nursing|"
    r"\bgnm\b|general nursing"
)
_ID_LABEL = (
    r"passport (?:no|number|num)|national insurance (?:no|number)|\bni (?:no|number)\b|"
    r"\bnino\b|\bbrp (?:no|number)\b|share code\s*:|nhs number|aadhaa?r|\bpan card\b"
)
_DOB = r"date of birth|\bd\.?o\.?b\b|born on|birth date|\bage\s*:\s*\d{2}|\bborn\s*:"
_MARITAL = r"marital status|civil status|\b(?:married|divorced|widowed)\b"
_RELIGION = r"\breligion\b|\bcaste\b|\bfaith\s*:|religious affiliation"
_ID_ENTITIES = {"UK_NINO", "UK_PASSPORT", "UK_BRP", "SHARE_CODE", "UK_NHS"}


def run_checks(
    text: str,
    entities: tuple[str, ...] | frozenset[str],
    facts: CvFacts,
    target_role: str = "care_worker",
    today: dt.date | None = None,
) -> list[Finding]:
    """All rules over the redacted visible text. Returns findings in report order."""
    today = today or dt.date.today()
    ents = set(entities)
    sections = split_sections(text)
    low = text.casefold()
    words = len(text.split())
    found: dict[str, Finding] = {}

    def add(fid: str, severity: str | None = None, **params: str) -> None:
        found[fid] = Finding(fid, severity or SEVERITY[fid], params)

    # hidden text is a finding, never content: it was left out of `text` by the parser
    if facts.hidden_chars:
        add("hidden_text", chars=str(facts.hidden_chars))
    if facts.invisible_chars:
        add("invisible_characters", chars=str(facts.invisible_chars))

    # layout
    if facts.pages > 2:
        add("too_long", pages=str(facts.pages))
    elif words < 150:
        add("too_short", words=str(words))

    # contact details (redaction leaves typed placeholders)
    email = "EMAIL_ADDRESS" in ents or "<EMAIL_ADDRESS>" in text
    phone = bool(ents & {"UK_PHONE", "PHONE_NUMBER"}) or re.search(r"<(?:UK_)?PHONE", text)
    if not email and not phone:
        add("contact_missing")
    elif not (email and phone):
        add("contact_incomplete", missing="email" if not email else "phone")

    # what a UK CV leaves out
    if ents & _ID_ENTITIES or _has(_ID_LABEL, low):
        add("id_numbers")
    if facts.images:
        add("photo")
    if "DATE_OF_BIRTH" in ents or _has(_DOB, low):
        add("date_of_birth")
    if _has(_MARITAL, low):
        add("marital_status")
    if _has(_RELIGION, low):
        add("religion")

    # personal statement: under a heading, or a paragraph of prose before the first heading
    statement = sections.get("statement", "").strip()
    if not statement:
        prose = [
            p
            for p in re.split(r"\n\s*\n|\n(?=[A-Z])", sections.get("preamble", ""))
            if len(p.split()) >= 25 and "<" not in p[:40]
        ]
        statement = prose[0] if prose else ""
    if not statement:
        add("statement_missing")
    elif len(statement.split()) > 150:
        add("statement_too_long", words=str(len(statement.split())))

    # experience
    all_spans = find_spans(text, today)
    exp_text = sections.get("experience")
    jobs = find_spans(exp_text, today) if exp_text else all_spans
    if exp_text is None and not jobs:
        add("experience_missing")
    elif not jobs:
        add("dates_missing")
    else:
        if any(not s.months_known for s in jobs):
            add("dates_months_missing")
        starts = [s.start for s in jobs]
        if any(b > a for a, b in itertools.pairwise(starts)):
            add("not_reverse_chronological")
        gaps = unexplained_gaps(jobs, all_spans)
        if gaps:
            a, b = gaps[0]
            add("gap_unexplained", start=_month_label(a), end=_month_label(b))

    # qualifications, by target role
    if target_role == "nurse":
        if not _has(r"\bnmc\b|nursing and midwifery council", low):
            add("nmc_missing")
    else:
        if not _has(r"care certificate", low):
            add("care_certificate_missing")
        if target_role == "senior_care_worker":
            if not _has(_LEVEL3, low):
                add("level3_missing")
        elif not _has(_QUALIFICATION, low):
            add("qualification_missing")

    # training topics
    missing = [k for k, rx in TRAINING_TOPICS.items() if not _has(rx, low)]
    if missing:
        add(
            "training_missing",
            severity="medium" if len(missing) >= 4 else "low",
            topics=",".join(missing),
        )

    if not _has(r"\bdbs\b|disclosure and barring|update service", low):
        add("dbs_missing")

    # right to work, in words that suit a displaced worker
    if not _has(_RIGHT_TO_WORK, low):
        add("right_to_work_missing")
    elif not _has(_RTW_CLEAR, low):
        add("right_to_work_unclear")

    if not _has(_ENGLISH, low):
        add("english_missing")

    if _has(_FOREIGN_LICENCE, low) and not _has(_UK_LICENCE, low):
        add("driving_licence_exchange")
    elif not _has(_DRIVING, low):
        add("driving_missing")

    if not _has(r"\breferences?\b|\breferees?\b", low):
        add("references_missing")

    return [found[fid] for fid in FINDING_IDS if fid in found]
