"""The review report: findings in the worker's language, section scores and one overall score."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.cv_review.catalog import CvMessages
from assistant.cv_review.checks import SECTIONS, Finding

PENALTY = {"high": 60, "medium": 35, "low": 15}
WEIGHT = {
    "hidden_text": 2,
    "layout": 1,
    "contact": 2,
    "personal_details": 1,
    "personal_statement": 1,
    "experience": 3,
    "qualifications": 2,
    "training": 2,
    "dbs": 1,
    "right_to_work": 2,
    "english": 1,
    "driving": 1,
    "references": 1,
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
HIDDEN_TEXT_CAP = 50  # employers' screening flags hidden text: no CV with it scores above this


@dataclass(frozen=True)
class ReportFinding:
    id: str
    severity: str
    section: str
    message: str
    suggestion: str


@dataclass(frozen=True)
class SectionScore:
    name: str
    score: int


@dataclass
class CvReport:
    language: str
    score: int
    sections: list[SectionScore]
    findings: list[ReportFinding]
    hidden_text_found: bool
    # Filled by a StatementRewriter when one is configured (a later issue); not in the API yet.
    rewritten_statement: str | None = None
    finding_ids: list[str] = field(default_factory=list)


def build_report(findings: list[Finding], language: str, messages: CvMessages) -> CvReport:
    by_section: dict[str, list[Finding]] = {name: [] for name in SECTIONS}
    for f in findings:
        by_section[f.section].append(f)
    sections = [
        SectionScore(name, max(0, 100 - sum(PENALTY[f.severity] for f in items)))
        for name, items in by_section.items()
    ]
    total = sum(WEIGHT[s.name] * s.score for s in sections) / sum(WEIGHT.values())
    hidden = any(f.section == "hidden_text" for f in findings)
    score = round(min(total, HIDDEN_TEXT_CAP) if hidden else total)
    ordered = sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])  # stable: rule order
    out = []
    for f in ordered:
        message, suggestion = messages.finding(language, f.id, f.params)
        out.append(ReportFinding(f.id, f.severity, f.section, message, suggestion))
    return CvReport(
        language=language,
        score=score,
        sections=sections,
        findings=out,
        hidden_text_found=hidden,
        finding_ids=[f.id for f in ordered],
    )
