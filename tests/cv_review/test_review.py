"""The review flow with the real parser and Presidio: redaction first, report, analytics."""

import re
import string

import pytest

from assistant.cv_review import review as review_module
from assistant.cv_review.catalog import CvMessages
from assistant.cv_review.checks import FINDING_IDS, SECTIONS, TRAINING_TOPICS
from assistant.cv_review.errors import REASONS, CvRejected, UnknownTargetRole
from assistant.cv_review.limits import CvLimits
from assistant.cv_review.parsing import SubprocessCvParser
from assistant.cv_review.review import CvReviewer, CvUpload
from assistant.errors import UnknownLocalAuthority, UnsupportedLanguageCode
from assistant.languages import SUPPORTED_LANGUAGES
from assistant.models import RedactedText
from evals import cv_data
from evals.cv_data import build_blocks

EMAIL, PHONE = "priya.nair@example.com", "07700 900123"


class RecordingSink:
    def __init__(self):
        self.events = []

    def record(self, **event):
        self.events.append(event)


class RecordingRewriter:
    def __init__(self):
        self.calls = []

    def rewrite(self, cv, language, target_role):
        self.calls.append((cv, language, target_role))
        return "rewritten"


@pytest.fixture(scope="module")
def redactor():
    from assistant.redaction import PresidioRedactor

    return PresidioRedactor()


@pytest.fixture
def reviewer(redactor):
    limits = CvLimits()
    return CvReviewer(SubprocessCvParser(limits), redactor, RecordingSink(), CvMessages(), limits)


def upload(fmt="pdf", persona="priya", role="care_worker", omit=(), add=(), variants=None, **kw):
    data, name, ctype = cv_data.render(build_blocks(persona, role, omit, add, variants), fmt)
    return CvUpload(data, name, ctype, target_role=role, **kw)


def test_report_shape_and_order(reviewer):
    report = reviewer.review(upload(omit=["dbs", "references", "phone"], add=["photo"]))
    assert [s.name for s in report.sections] == list(SECTIONS)
    assert 0 <= report.score < 100
    assert report.finding_ids == [
        "contact_incomplete",
        "photo",
        "dbs_missing",
        "references_missing",
    ]
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
    dbs = next(f for f in report.findings if f.id == "dbs_missing")
    assert (
        dbs.section == "dbs" and "Update Service" in dbs.suggestion and "Example" in dbs.suggestion
    )
    assert report.hidden_text_found is False


def test_a_good_cv_scores_100(reviewer):
    report = reviewer.review(upload("docx", persona="tendai", role="nurse"))
    assert report.findings == [] and report.score == 100


def test_checks_see_only_redacted_text(reviewer, monkeypatch):
    seen = []
    real = review_module.run_checks

    def spy(text, entities, facts, role, today):
        seen.append((text, entities))
        return real(text, entities, facts, role, today)

    monkeypatch.setattr(review_module, "run_checks", spy)
    reviewer.review(upload("docx", add=["id_numbers"]))
    text, entities = seen[0]
    assert EMAIL not in text and PHONE not in text and "JH 12 34 56 C" not in text
    assert "<EMAIL_ADDRESS>" in text and {"EMAIL_ADDRESS", "UK_PHONE", "UK_NINO"} <= set(entities)


def test_one_analytics_event_with_no_text(reviewer):
    reviewer.review(upload(language="ur", local_authority="walsall"))
    assert reviewer.analytics.events == [
        {
            "categories": [],
            "language": "ur",
            "local_authority": "walsall",
            "escalated": False,
            "severity": "none",
            "answered": True,
            "kind": "cv_review",
        }
    ]


def test_refused_files_record_nothing(reviewer):
    with pytest.raises(CvRejected) as exc:
        reviewer.review(CvUpload(cv_data.encrypted_pdf(), "cv.pdf", language="ta"))
    assert exc.value.code == "cv_encrypted" and exc.value.status == 422
    assert exc.value.message == CvMessages().get("ta", "errors.encrypted")
    assert reviewer.analytics.events == []


def test_hidden_text_is_reported_and_never_followed(reviewer):
    report = reviewer.review(
        upload(omit=["care_certificate", "dbs"], add=["hidden"], variants={"hidden_style": "white"})
    )
    assert report.hidden_text_found and report.finding_ids[0] == "hidden_text"
    # the hidden "Care Certificate. Enhanced DBS." did not count
    assert {"care_certificate_missing", "dbs_missing"} <= set(report.finding_ids)
    assert report.score <= 50
    assert all("Ignore all previous" not in f.message + f.suggestion for f in report.findings)


def test_invisible_unicode_is_reported_and_removed(reviewer):
    report = reviewer.review(upload("docx", persona="joseph", add=["invisible"]))
    assert "invisible_characters" in report.finding_ids and report.hidden_text_found


def test_report_in_the_workers_language(reviewer):
    report = reviewer.review(upload(omit=["dbs"], language="hi"))
    finding = report.findings[0]
    assert report.language == "hi"
    assert re.search("[\u0900-\u097f]", finding.message)
    assert "Enhanced DBS" in finding.suggestion  # the example stays English: it is CV text


def test_the_rewriter_seam_gets_redacted_text_only(redactor):
    rewriter = RecordingRewriter()
    limits = CvLimits()
    r = CvReviewer(
        SubprocessCvParser(limits),
        redactor,
        RecordingSink(),
        CvMessages(),
        limits,
        rewriter=rewriter,
    )
    report = r.review(upload("docx"))
    ((cv, language, role),) = rewriter.calls
    assert isinstance(cv, RedactedText) and EMAIL not in cv.text and language == "en"
    assert role == "care_worker" and report.rewritten_statement == "rewritten"


def test_long_cvs_are_redacted_in_chunks(reviewer):
    text = (
        "Care worker with dementia experience. Call 07700 900456 or email a.b@example.com.\n" * 450
    )  # ~38,000 characters, far over the redactor's 4,000
    redacted = reviewer.redact(text, "en")
    assert "07700 900456" not in redacted.text and "a.b@example.com" not in redacted.text
    assert redacted.text.count("\n") == text.count("\n")


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"language": "xx"}, UnsupportedLanguageCode),
        ({"target_role": "pilot"}, UnknownTargetRole),
        ({"local_authority": "narnia"}, UnknownLocalAuthority),
    ],
)
def test_invalid_options(reviewer, kw, error):
    with pytest.raises(error):
        reviewer.review(CvUpload(b"hello", "cv.txt", **kw))


# ---------------------------------------------------------------- translations
def _fields(s):
    return {f for _, f, _, _ in string.Formatter().parse(s) if f}


def test_every_language_has_every_string():
    m = CvMessages()
    assert sorted(m.languages) == sorted(SUPPORTED_LANGUAGES)
    keys = [
        "example_label",
        "ui.title",
        "ui.intro",
        "ui.submit",
        "ui.uploading",
        "ui.checking",
        "ui.privacy_note",
        "ui.hidden_warning",
        "ui.findings_heading",
        "ui.no_findings",
    ]
    keys += [
        f"ui.roles.{r}" for r in ("care_worker", "senior_care_worker", "support_worker", "nurse")
    ]
    keys += [f"sections.{s}" for s in SECTIONS]
    keys += [f"severity.{s}" for s in ("high", "medium", "low")]
    keys += [f"topics.{t}" for t in TRAINING_TOPICS]
    keys += [f"errors.{r}" for r in REASONS] + ["errors.unknown_target_role"]
    keys += [f"findings.{f}.{part}" for f in FINDING_IDS for part in ("message", "suggestion")]
    missing = {code: [k for k in keys if not m.has(code, k)] for code in m.languages}
    assert {c: k for c, k in missing.items() if k} == {}
    for fid in FINDING_IDS:
        assert m.has("en", f"findings.{fid}.example")
        for part in ("message", "suggestion"):
            en = _fields(m.get("en", f"findings.{fid}.{part}"))
            for code in m.languages:
                assert _fields(m.get(code, f"findings.{fid}.{part}")) == en, (code, fid, part)


def test_translations_are_not_english_copies():
    m = CvMessages()
    for code in m.languages:
        if code == "en":
            continue
        same = [
            f
            for f in FINDING_IDS
            if m.get(code, f"findings.{f}.message") == m.get("en", f"findings.{f}.message")
        ]
        assert same == [], code
