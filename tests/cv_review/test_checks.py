"""The deterministic rules, on redacted text (placeholders stand for what was removed)."""

import datetime as dt

from assistant.cv_review.checks import (
    FINDING_IDS,
    SECTION_OF,
    SEVERITY,
    CvFacts,
    find_spans,
    run_checks,
    split_sections,
)

TODAY = dt.date(2026, 12, 1)
GOOD = (
    """<PERSON>
Birmingham · <UK_PHONE> · <EMAIL_ADDRESS>
Profile
Caring and reliable care worker with four years of experience supporting older people in
residential homes, including people living with dementia. Looking for a permanent role.
Employment History
Care Assistant, Oak House, Walsall — March 2022 – Present
Supported 10 residents with personal care, meals and mobility, and end-of-life care.
Home Carer, Bright Homecare, Dudley — June 2019 – February 2022
Prompted medication and followed care plans. Hoist and moving and handling.
Qualifications
Care Certificate (2022); Level 2 Diploma in Health and Social Care (RQF), 2023
Training
First aid, safeguarding adults, infection prevention and control, dementia awareness
Other information
Enhanced DBS on the Update Service. Health and Care Worker visa, seeking a new sponsor.
English: IELTS 7.0. Full UK driving licence.
References available on request.
"""
    + " filler" * 60
)


def ids(text, entities=("PERSON", "UK_PHONE", "EMAIL_ADDRESS"), role="care_worker", **facts):
    facts = {"pages": 1, **facts}
    return [f.id for f in run_checks(text, entities, CvFacts(**facts), role, TODAY)]


def test_a_good_cv_has_no_findings():
    assert ids(GOOD) == []


def test_every_finding_has_a_section_and_severity():
    assert set(FINDING_IDS) == set(SECTION_OF) == set(SEVERITY)


def test_headings_split_the_text():
    sections = split_sections(GOOD)
    assert "Care Assistant" in sections["experience"]
    assert "Care Certificate" in sections["education"]
    assert "Enhanced DBS" in sections["skills"] and "Enhanced DBS" not in sections["education"]


def test_dates_in_many_forms():
    spans = find_spans(
        "Jan 2020 - Mar 2021\n04/2021 to 12/2022\nSeptember 2023 – present\n2015 - 2018", TODAY
    )
    assert [(s.start // 12, s.start % 12 + 1, s.months_known) for s in spans] == [
        (2020, 1, True),
        (2021, 4, True),
        (2023, 9, True),
        (2015, 1, False),
    ]
    assert spans[2].end == 2026 * 12 + 11  # "present" is today


def test_gap_over_three_months_unless_a_dated_line_explains_it():
    text = GOOD.replace("June 2019 – February 2022", "June 2019 – June 2021")
    assert "gap_unexplained" in ids(text)
    explained = text.replace(
        "Qualifications",
        "July 2021 – February 2022: career break caring for my mother\nQualifications",
    )
    assert "gap_unexplained" not in ids(explained)
    # three months is not a gap
    assert "gap_unexplained" not in ids(
        GOOD.replace("June 2019 – February 2022", "June 2019 – November 2021")
    )


def test_order_and_month_precision():
    swapped = GOOD.replace("March 2022 – Present", "March 2017 – May 2019")
    assert "not_reverse_chronological" in ids(swapped)
    years = GOOD.replace("March 2022 – Present", "2022 – Present")
    assert "dates_months_missing" in ids(years)


def test_personal_details_a_uk_cv_leaves_out():
    text = GOOD + "\nDate of birth: <DATE_OF_BIRTH>\nMarital status: married\nReligion: Hindu\n"
    found = ids(text, entities=("PERSON", "UK_PHONE", "EMAIL_ADDRESS", "DATE_OF_BIRTH"), images=1)
    assert {"date_of_birth", "marital_status", "religion", "photo"} <= set(found)
    assert "id_numbers" in ids(
        GOOD + "\nNI: <UK_NINO>", entities=("UK_NINO", "UK_PHONE", "EMAIL_ADDRESS")
    )


def test_contact_details_come_from_the_placeholders():
    assert "contact_missing" in ids(
        GOOD.replace("<UK_PHONE>", "").replace("<EMAIL_ADDRESS>", ""), entities=()
    )
    assert "contact_incomplete" in ids(GOOD.replace("<UK_PHONE>", ""), entities=("EMAIL_ADDRESS",))


def test_right_to_work_wording():
    no_rtw = GOOD.replace("Health and Care Worker visa, seeking a new sponsor.", "")
    assert "right_to_work_missing" in ids(no_rtw)
    vague = GOOD.replace(
        "Health and Care Worker visa, seeking a new sponsor.", "I need visa sponsorship."
    )
    assert "right_to_work_unclear" in ids(vague)


def test_roles_change_the_qualification_rules():
    assert "nmc_missing" in ids(GOOD, role="nurse")
    assert "care_certificate_missing" not in ids(
        GOOD.replace("Care Certificate", "CC"), role="nurse"
    )
    assert "level3_missing" in ids(GOOD, role="senior_care_worker")
    assert "level3_missing" not in ids(
        GOOD.replace("Level 2", "Level 3"), role="senior_care_worker"
    )


def test_training_topics_and_severity():
    text = GOOD.replace("dementia awareness", "").replace("living with dementia", "")
    text = text.replace("end-of-life care", "")
    found = run_checks(text, ("UK_PHONE", "EMAIL_ADDRESS"), CvFacts(pages=1), "care_worker", TODAY)
    training = next(f for f in found if f.id == "training_missing")
    assert training.params["topics"] == "dementia,end_of_life" and training.severity == "low"


def test_driving_licence_from_abroad():
    text = GOOD.replace("Full UK driving licence.", "Driving: Nigerian driving licence.")
    assert "driving_licence_exchange" in ids(text)
    assert "driving_missing" in ids(GOOD.replace("Full UK driving licence.", ""))


def test_hidden_text_and_layout_facts():
    assert ids(GOOD, hidden_chars=40)[0] == "hidden_text"
    assert "invisible_characters" in ids(GOOD, invisible_chars=5)
    assert "too_long" in ids(GOOD, pages=3)
    assert "too_short" in ids("<EMAIL_ADDRESS> <UK_PHONE> Care worker.")


def test_statement_under_a_heading_or_as_opening_prose():
    assert "statement_missing" not in ids(GOOD.replace("Profile\n", ""))
    no_statement = GOOD.replace("Profile\n", "").split("Employment History")[1]
    assert "statement_missing" in ids(
        "<UK_PHONE> <EMAIL_ADDRESS>\nEmployment History" + no_statement
    )
