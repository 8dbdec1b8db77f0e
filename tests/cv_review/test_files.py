"""File type by magic bytes, mislabelling, zip directory checks and text decoding."""

import codecs

import pytest

from assistant.cv_review.errors import CvFileProblem
from assistant.cv_review.files import (
    classify,
    count_invisible,
    declared_kind,
    decode_text,
    strip_invisible,
)
from assistant.cv_review.limits import CvLimits
from evals import cv_data

LIMITS = CvLimits()
TEXT = "Priya Nair – care worker, café shifts, “dementia” training £12.82/hour\n"


def reason(data, filename=None, ctype=None):
    with pytest.raises(CvFileProblem) as exc:
        classify(data, filename, ctype, LIMITS)
    return exc.value.reason


def test_types_come_from_the_bytes_not_the_name():
    assert classify(cv_data.good_pdf(), "cv.pdf", "application/pdf", LIMITS) == "pdf"
    assert classify(cv_data.good_docx(), "CV.DOCX", None, LIMITS) == "docx"
    assert classify(TEXT.encode(), "cv.txt", "text/plain", LIMITS) == "text"
    # no name, generic type: the bytes decide
    assert classify(cv_data.good_pdf(), None, "application/octet-stream", LIMITS) == "pdf"
    assert classify(cv_data.good_docx(), "upload", None, LIMITS) == "docx"


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (cv_data.good_pdf(), "cv.docx", "mislabelled"),
        (cv_data.good_docx(), "cv.pdf", "mislabelled"),
        (TEXT.encode(), "cv.pdf", "mislabelled"),
        (cv_data.good_pdf(), "cv.jpg", "mislabelled"),
        (bytes(range(256)) * 10, "cv.pdf", "corrupt"),
        (cv_data.png_photo(), "cv.pdf", "unsupported_type"),
        (cv_data.zip_not_docx(), "cv.docx", "unsupported_type"),
        (b"{\\rtf1\\ansi hello}", "cv.rtf", "unsupported_type"),
        (cv_data.encrypted_docx(), "cv.docx", "encrypted"),
        (cv_data.corrupt_docx(), "cv.docx", "corrupt"),
        (cv_data.docx_zip_bomb(60), "cv.docx", "unsafe"),
        (b"   \n ", "cv.txt", "empty"),
        (b"", "cv.pdf", "empty"),
    ],
)
def test_bad_files_are_named_for_what_they_are(data, filename, expected):
    assert reason(data, filename) == expected


def test_over_the_size_limit():
    assert reason(b"a" * (LIMITS.max_bytes + 1), "cv.txt") == "too_large"


def test_declared_kind():
    assert declared_kind("my cv.PDF", None) == "pdf"
    assert declared_kind(None, "text/plain; charset=utf-8") == "text"
    assert declared_kind("cv.doc", None) == "other"
    assert declared_kind(None, None) is None


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("utf-16-le"),  # no BOM: found by its NUL pattern
        TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "cp1252"],
)
def test_odd_encodings_decode_correctly(data):
    assert decode_text(data) == TEXT


def test_cp1252_undefined_bytes_do_not_fail():
    assert decode_text(b"Care worker \x81\x8d experience") == "Care worker    experience"


def test_binary_is_not_text():
    with pytest.raises(CvFileProblem):
        decode_text(b"\x00\x01\x02\x03" * 100)


def test_invisible_unicode_is_counted_and_stripped():
    tags = "".join(chr(0xE0000 + ord(c)) for c in "hire me")
    text = f"Reliable{tags} carer\u202e with\u200b experience"
    assert count_invisible(text) == len(tags) + 1  # two zero-width spaces or fewer are noise
    assert strip_invisible(text) == "Reliable carer with experience"
    assert count_invisible("a\u200bb\u200bc\u200bd") == 3
    # Indic joiners are not invisible tricks
    assert count_invisible("ക്\u200dഷ") == 0
