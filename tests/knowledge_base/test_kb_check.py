"""`harbour kb check`: each check catches a fault planted in small fixture content."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli import app
from assistant.settings import Settings
from knowledge_base.check import (
    VERIFIED_NUMBERS,
    check_knowledge_base,
    find_phone_numbers,
    load_verified_numbers,
)

TODAY = dt.date(2026, 12, 1)
# A word in each language's script, so fixture translations pass the script check.
WORD = {
    "hi": "सलाह",
    "ml": "ഉപദേശം",
    "pa": "ਸਲਾਹ",
    "gu": "સલાહ",
    "ur": "مشورہ",
    "bn": "পরামর্শ",
    "ta": "ஆலோசனை",
    "ne": "सल्लाह",
    "tl": "Payo",
    "yo": "Ìmọ̀ràn",
    "sn": "Zano",
    "sw": "Ushauri",
}
KEY_POINTS = [
    "Unpaid wages can be claimed back from your employer.",
    "Call Acas on 0300 123 1100 for free advice.",
    "In danger? Call 999.",
]
BODY = (
    "## What to do\n\nKeep your payslips. See [the other guide](guide:{other}).\n\n"
    "## Sources\n\nRead https://www.gov.uk/0300-555-1234/guide from 1 April 2026, £12.71 an hour, "
    "updated 2026-12-01 (01/12/2026), 10,000 miles, open 24/7, a 5% rise, in 2025-2026.\n\n"
    + "Plain words fill this paragraph so the body is long enough. " * 15
)


def _front(article_id: str, topic: str, **changes: object) -> dict:
    front: dict = {
        "id": article_id,
        "title": f"Title of {article_id}",
        "topic": topic,
        "summary": "One plain sentence.",
        "source_urls": ["https://www.gov.uk/x"],
        "last_reviewed": dt.date(2026, 11, 22),
        "review_by": dt.date(2027, 5, 22),
        "local_authority": None,
        "confidence": "SEEN-GOV: everything.",
        "key_points": list(KEY_POINTS),
        "questions": [f"{article_id} question {i}?" for i in range(3)],
    }
    front.update(changes)
    return front


def _translations(article_id: str) -> dict:
    out = {}
    for lang, word in WORD.items():
        out[lang] = {
            "title": f"{word} {article_id}",
            "key_points": [f"{word} 1.", f"{word} Acas 0300 123 1100.", f"{word} 999."],
            "questions": [f"{word} {article_id} {i}?" for i in range(3)],
        }
    return out


def write_article(
    root: Path,
    article_id: str,
    topic: str = "employment_rights",
    body: str | None = None,
    translations: dict | None = None,
    **changes: object,
) -> Path:
    folder = root / topic
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{article_id}.md"
    front = yaml.safe_dump(_front(article_id, topic, **changes), allow_unicode=True)
    text = body if body is not None else BODY.format(other="pay-b" if article_id != "pay-b" else "pay-a")
    path.write_text(f"---\n{front}---\n{text}", encoding="utf-8")
    tr = translations if translations is not None else _translations(article_id)
    if tr:
        (folder / f"{article_id}.tr.yaml").write_text(
            yaml.safe_dump(tr, allow_unicode=True), encoding="utf-8"
        )
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_article(root, "pay-a")
    write_article(root, "pay-b", topic="money")
    return root


@pytest.fixture
def fixed(tmp_path: Path) -> dict[str, Path]:
    """Small safety text and message catalogs that pass."""
    safety = tmp_path / "safety_text.yaml"
    texts = {"en": {"urgent": "Call 999 or Samaritans on 116 123."}}
    texts |= {lang: {"urgent": f"{w} 999, Samaritans 116 123."} for lang, w in WORD.items()}
    safety.write_text(yaml.safe_dump(texts, allow_unicode=True), encoding="utf-8")
    messages = tmp_path / "messages"
    messages.mkdir()
    (messages / "en.yaml").write_text('ui:\n  emergency_note: "In danger? Call 999."\n')
    for lang, word in WORD.items():
        note = "खतरे में? 999 पर कॉल करें।" if lang == "hi" else f"{word} 999"
        (messages / f"{lang}.yaml").write_text(f'ui:\n  emergency_note: "{note}"\n')
    return {"safety_text": safety, "messages_dir": messages}


def run(content: Path, fixed: dict[str, Path], **kw):
    return check_knowledge_base(content, today=kw.pop("today", TODAY), **fixed, **kw)


def errors_for(report, name: str) -> list[str]:
    return [f.message for f in report.errors if name in f.where]


def test_clean_fixture_passes(content, fixed):
    report = run(content, fixed)
    assert report.ok, report.format()
    assert report.articles == 2
    assert not report.warnings, report.format()
    assert report.format().endswith("2 articles checked: 0 errors, 0 warnings. OK")


# --- front matter ------------------------------------------------------------------------


def test_schema_errors_are_reported_per_file(content, fixed):
    path = write_article(content, "bad-topic", topic="employment_rights")
    path.write_text(path.read_text().replace("topic: employment_rights", "topic: cooking"))
    report = run(content, fixed)
    [msg] = errors_for(report, "bad-topic.md")
    assert msg.startswith("schema:") and "topic" in msg and "cooking" in msg


def test_unknown_front_matter_key(content, fixed):
    write_article(content, "pay-a", reviewed_by="2027-01-01")
    report = run(content, fixed)
    msgs = errors_for(report, "pay-a.md")
    assert any("unknown front-matter key 'reviewed_by'" in m for m in msgs), report.format()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"key_points": KEY_POINTS[:2]}, "has 2 key points; needs 3–6"),
        ({"questions": ["Only one?"]}, "has 1 questions; needs at least 3"),
        ({"confidence": ""}, "`confidence` is missing or empty"),
        ({"review_by": dt.date(2026, 11, 1)}, "is not after last_reviewed"),
    ],
)
def test_front_matter_rules(content, fixed, changes, expected):
    tr = _translations("pay-a")
    if "key_points" in changes:
        for entry in tr.values():
            entry["key_points"] = entry["key_points"][:2]
    write_article(content, "pay-a", translations=tr, **changes)
    assert any(expected in m for m in errors_for(run(content, fixed), "pay-a.md"))


def test_duplicate_ids(content, fixed):
    write_article(content, "pay-a", topic="housing")
    report = run(content, fixed)
    msgs = [m for m in errors_for(report, "pay-a.md") if "duplicate id" in m]
    assert len(msgs) == 2 and "housing/pay-a.md" in msgs[0] + msgs[1]


def test_missing_source_urls(content, fixed):
    write_article(content, "pay-a", source_urls=[])
    [msg] = errors_for(run(content, fixed), "pay-a.md")
    assert "source_urls" in msg


# --- translations ------------------------------------------------------------------------


def test_missing_language_and_file(content, fixed):
    tr = _translations("pay-a")
    del tr["sw"]
    write_article(content, "pay-a", translations=tr)
    (content / "money" / "pay-b.tr.yaml").unlink()
    report = run(content, fixed)
    assert errors_for(report, "pay-a.md") == ["[sw] Swahili translation is missing"]
    assert errors_for(report, "pay-b.md") == ["no translations file pay-b.tr.yaml"]


def test_translation_shape_script_and_copy(content, fixed):
    tr = _translations("pay-a")
    tr["hi"]["key_points"].pop()  # one short
    tr["ta"]["questions"] = tr["ta"]["questions"][:2]
    tr["pa"]["title"] = "सलाह in Devanagari"  # Punjabi must be Gurmukhi
    tr["tl"]["key_points"][0] = KEY_POINTS[0]  # English copied
    tr["ur"]["kwestions"] = ["typo"]
    write_article(content, "pay-a", translations=tr)
    msgs = errors_for(run(content, fixed), "pay-a.md")
    assert "[hi] has 2 key points; the English has 3" in msgs
    assert "[ta] has 2 questions; needs at least 3" in msgs
    assert any(m.startswith("[pa] title is not in Gurmukhi script") for m in msgs)
    assert "[tl] key point 1 is the English text, not a translation" in msgs
    assert any(m.startswith("[ur] unknown key 'kwestions'") for m in msgs)


# --- links -------------------------------------------------------------------------------


def test_broken_and_malformed_links(content, fixed):
    body = (
        "## A\n\nSee [gone](guide:no-such-article), [typo](guide: pay-b), "
        "[path](/guide/also-gone?lang=hi) and [fine](guide:pay-b).\n"
    )
    write_article(content, "pay-a", body=body)
    msgs = errors_for(run(content, fixed), "pay-a.md")
    assert "body: broken link guide:no-such-article (no such article)" in msgs
    assert "body: broken link /guide/also-gone (no such article)" in msgs
    assert any(m.startswith("body: malformed internal link") for m in msgs)
    assert len(msgs) == 3  # the good link to pay-b is not reported


def test_prose_mentioning_a_guide_is_not_a_link(content, fixed):
    write_article(content, "pay-a", body="## A\n\nRead this guide: it helps. Or (guide) it.\n")
    assert not errors_for(run(content, fixed), "pay-a.md")


# --- review dates ------------------------------------------------------------------------


def test_stale_articles_are_a_warning_not_a_failure(content, fixed):
    report = run(content, fixed, today=dt.date(2027, 6, 1))
    assert report.ok
    assert report.stale == ["pay-a", "pay-b"]
    assert "Past their review_by date (2): pay-a, pay-b" in report.format()
    assert all("review_by 2027-05-22 has passed" in f.message for f in report.warnings)


# --- phone numbers -----------------------------------------------------------------------


def test_unverified_numbers_in_article_and_translation(content, fixed):
    tr = _translations("pay-a")
    tr["bn"]["key_points"][1] = "পরামর্শ Acas 0300 123 1101।"  # mistyped
    body = "## A\n\nRing 0121 303 1234 or text 61234 for help. Call 999.\n"
    write_article(content, "pay-a", body=body, translations=tr)
    msgs = errors_for(run(content, fixed), "pay-a.md")
    assert "body: phone number '0121 303 1234' is not in verified_numbers.yaml" in msgs
    assert "body: phone number '61234' is not in verified_numbers.yaml" in msgs
    assert "[bn] key point 2: phone number '0300 123 1101' is not in verified_numbers.yaml" in msgs
    assert "[bn] key point 2: lacks the phone number 0300 123 1100 that the English has" in msgs
    assert len(msgs) == 4


def test_translation_that_drops_a_short_number(content, fixed):
    tr = _translations("pay-a")
    tr["yo"]["key_points"][2] = "Ìmọ̀ràn: pe ọlọ́pàá."
    write_article(content, "pay-a", translations=tr)
    assert errors_for(run(content, fixed), "pay-a.md") == [
        "[yo] key point 3: lacks the phone number 999 that the English has"
    ]


def test_spacing_difference_is_a_warning(content, fixed):
    write_article(content, "pay-a", body="## A\n\nCall Acas on 0300 1231 100.\n")
    report = run(content, fixed)
    assert report.ok
    assert any("'0300 1231 100' is written differently" in f.message for f in report.warnings)


VERIFIED = {n.digits for n in load_verified_numbers(VERIFIED_NUMBERS)}


@pytest.mark.parametrize(
    "text",
    [
        "See https://www.gov.uk/guidance/0300-790-1234 and www.example.org/07700900123",
        "From 1 April 2026 the rate is £12.71 an hour; in 2025 it was £12.21.",
        "Reviewed 2026-12-01, or 01/12/2026, for the 2025-26 and 2024/2025 tax years.",
        "Call between 9am and 4.45pm, or 09:00 to 17:30.",
        "Call us: it costs £1,035 or 10,000 miles, a 606% rise, 45p a mile, 24/7.",
        "Call within 100 days; the helpline has interpreters in over 200 languages.",
        "Occupation code 6135 (HC 997) closed on 22 July 2025.",
        "[the guide](guide:visa-60-day-curtailment) and email help-0300@example.org",
    ],
)
def test_digits_that_are_not_phone_numbers(text):
    assert find_phone_numbers(text, VERIFIED) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Call 0300 790 6268, option 2.", ["0300 790 6268"]),
        ("call +44 300 790 6268", ["+44 300 790 6268"]),
        ("Samaritans 116 123, Shout 85258, police 101 or 18001 101", ["116 123", "85258", "101",
                                                                      "18001 101"]),
        ("999 पर कॉल करें, या 123 पर फोन करें", ["999", "123"]),
        ("fonera Citizens Advice pa0800 144 8848.", ["0800 144 8848"]),
        ("Ring 07700 900123 today", ["07700 900123"]),
        ("Dial 116 124", ["116 124"]),
    ],
)
def test_phone_numbers_found(text, found):
    assert [m.text for m in find_phone_numbers(text, VERIFIED)] == found


def test_safety_text_and_messages(content, fixed):
    safety = yaml.safe_load(fixed["safety_text"].read_text())
    safety["ta"]["urgent"] = "ஆலோசனை 999."  # dropped Samaritans
    safety["sw"]["urgent"] = "Ushauri 999, Samaritans 116 321."  # mistyped
    fixed["safety_text"].write_text(yaml.safe_dump(safety, allow_unicode=True))
    (fixed["messages_dir"] / "hi.yaml").write_text('ui:\n  emergency_note: "खतरे में? 99 पर कॉल करें।"\n')
    report = run(content, fixed)
    assert sorted(errors_for(report, "safety_text.yaml")) == [
        "sw.urgent: lacks the phone number 116 123 that the English has",
        "sw.urgent: phone number '116 321' is not in verified_numbers.yaml",
        "ta.urgent: lacks the phone number 116 123 that the English has",
    ]
    assert errors_for(report, "hi.yaml") == [
        "ui.emergency_note: lacks the phone number 999 that the English has"
    ]


def test_untranslated_page_strings_are_a_warning(content, fixed):
    (fixed["messages_dir"] / "en.yaml").write_text(
        'ui:\n  emergency_note: "In danger? Call 999."\n  send: "Send"\n'
    )
    report = run(content, fixed)
    assert report.ok
    assert [f.message for f in report.warnings if "hi.yaml" in f.where] == [
        "1 page strings not translated: ui.send"
    ]
    (fixed["messages_dir"] / "sn.yaml").unlink()
    assert errors_for(run(content, fixed), "sn.yaml") == ["page strings file is missing"]


def test_verified_list_needs_sources(content, fixed, tmp_path):
    numbers = yaml.safe_load(VERIFIED_NUMBERS.read_text())
    numbers.append({"number": "0300 000 0000", "name": "Made up"})
    path = tmp_path / "verified.yaml"
    path.write_text(yaml.safe_dump(numbers, allow_unicode=True))
    report = run(content, fixed, verified_numbers=path)
    assert errors_for(report, "verified.yaml") == ["0300 000 0000: needs a `source` URL"]


# --- the command -------------------------------------------------------------------------


def test_command_exit_codes_and_per_article_list(content):
    runner = CliRunner()
    ok = runner.invoke(app, ["kb", "check", "--content-dir", str(content), "--today", "2026-12-01"])
    assert ok.exit_code == 0, ok.output
    assert "2 articles checked: 0 errors" in ok.output
    stale = runner.invoke(app, ["kb", "check", "--content-dir", str(content), "--today",
                                "2028-01-01", "--strict"])
    assert stale.exit_code == 1 and "Past their review_by date (2)" in stale.output
    write_article(content, "pay-a", body="## A\n\nSee [gone](guide:nope).\n")
    bad = runner.invoke(app, ["kb", "check", "--content-dir", str(content)])
    assert bad.exit_code == 1
    lines = bad.output.splitlines()
    i = next(i for i, line in enumerate(lines) if line.endswith("employment_rights/pay-a.md"))
    assert "ERROR" in lines[i + 1] and "guide:nope" in lines[i + 1]
    assert lines[-1].endswith("FAILED")


def test_the_real_content_passes():
    report = check_knowledge_base(Settings().content_dir)
    assert report.articles >= 75
    assert report.ok, "\n" + report.format()
