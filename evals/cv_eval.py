"""The `cv` eval: findings on generated CVs (precision/recall) and the bad-file suite.

Called by `evals/run.py: suite_cv`. Uses the production reviewer (the parsing subprocess,
Presidio) and, for bad files, the real HTTP route.
"""

from __future__ import annotations

import time
from collections import defaultdict
from types import SimpleNamespace

from evals import cv_data
from evals.evaluators import table


def build_reviewer(settings):
    from assistant.container import build_cv_reviewer
    from assistant.redaction import PresidioRedactor

    class _CountingSink:  # the eval has no database; the route's sink is tested in tests/
        def __init__(self) -> None:
            self.events: list[dict] = []

        def record(self, **event) -> None:
            self.events.append(event)

    redactor = PresidioRedactor(settings.pii.score_threshold, settings.pii.max_message_chars)
    return build_cv_reviewer(settings, redactor, _CountingSink())


def expand_cases(data: dict, fast: bool = False) -> list[dict]:
    from assistant.cv_review.checks import FINDING_IDS

    out = []
    for case in data["cases"]:
        formats = case.get("formats") or data["formats"]
        if fast:
            formats = formats[:1]
        must = set(case.get("must") or [])
        may = set(case.get("may") or [])
        unknown = (must | may) - set(FINDING_IDS)
        if unknown:
            raise ValueError(f"{case['id']}: unknown finding ids {sorted(unknown)}")
        for fmt in formats:
            out.append(
                {
                    **case,
                    "format": fmt,
                    "must": must,
                    "must_not": set(FINDING_IDS) - must - may,
                }
            )
    return out


def findings_suite(reviewer, data: dict, fast: bool = False) -> tuple[bool, dict]:
    from assistant.cv_review.review import CvUpload

    cases = expand_cases(data, fast)
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    problems: list[str] = []
    seconds: list[float] = []
    for case in cases:
        blocks = cv_data.build_blocks(
            case["persona"],
            case["role"],
            omit=case.get("omit") or (),
            add=case.get("add") or (),
            variants=case.get("variants") or {},
        )
        payload, filename, ctype = cv_data.render(blocks, case["format"])
        start = time.perf_counter()
        report = reviewer.review(
            CvUpload(payload, filename, ctype, language="en", target_role=case["role"])
        )
        seconds.append(time.perf_counter() - start)
        got = set(report.finding_ids)
        group = case["id"].split("-")[0]
        for key in (group, case["format"], "all"):
            tp[key] += len(got & case["must"])
            fn[key] += len(case["must"] - got)
            fp[key] += len(got & case["must_not"])
        missed, extra = case["must"] - got, got & case["must_not"]
        if missed or extra:
            problems.append(
                f"  [{case['id']} / {case['format']}] missed {sorted(missed)} extra {sorted(extra)}"
            )

    def rates(key: str) -> tuple[float, float]:
        p = tp[key] / (tp[key] + fp[key]) if tp[key] + fp[key] else 1.0
        r = tp[key] / (tp[key] + fn[key]) if tp[key] + fn[key] else 1.0
        return p, r

    keys = [*sorted(k for k in tp.keys() | fp.keys() | fn.keys() if k != "all"), "all"]
    rows = []
    for key in keys:
        p, r = rates(key)
        rows.append([key, str(tp[key]), str(fp[key]), str(fn[key]), f"{p:.3f}", f"{r:.3f}"])
    print(f"{len(cases)} CV files from {len(data['cases'])} cases")
    print(table(rows, ["group", "TP", "FP", "FN", "precision", "recall"]))
    print("\n".join(problems[:40]))
    seconds.sort()
    print(
        f"review time per file: median {seconds[len(seconds) // 2] * 1000:.0f} ms, "
        f"max {seconds[-1] * 1000:.0f} ms"
    )
    precision, recall = rates("all")
    t = data["thresholds"]
    print(f"precision {precision:.3f} (≥ {t['precision']}), recall {recall:.3f} (≥ {t['recall']})")
    ok = precision >= t["precision"] and recall >= t["recall"]
    return ok, {"precision": precision, "recall": recall, "files": len(cases)}


# ---------------------------------------------------------------- bad files
def bad_files() -> list[tuple[str, bytes, str, str | None, int, str]]:
    """(name, bytes, filename, language, expected status, expected error code)."""
    return [
        ("oversized 6 MB PDF", cv_data.oversized(6), "cv.pdf", None, 413, "cv_too_large"),
        ("empty file", b"", "cv.pdf", None, 422, "cv_empty"),
        ("encrypted PDF", cv_data.encrypted_pdf(), "cv.pdf", None, 422, "cv_encrypted"),
        ("encrypted PDF, Hindi", cv_data.encrypted_pdf(), "cv.pdf", "hi", 422, "cv_encrypted"),
        ("encrypted DOCX (OLE)", cv_data.encrypted_docx(), "cv.docx", None, 422, "cv_encrypted"),
        ("truncated PDF", cv_data.truncated_pdf(), "cv.pdf", None, 422, "cv_corrupt"),
        ("junk after %PDF", cv_data.junk_pdf(), "cv.pdf", None, 422, "cv_corrupt"),
        ("truncated DOCX", cv_data.corrupt_docx(), "cv.docx", None, 422, "cv_corrupt"),
        ("12-page PDF", cv_data.many_pages_pdf(12), "cv.pdf", None, 422, "cv_too_many_pages"),
        (
            "60k-character text",
            cv_data.too_many_chars_text(),
            "cv.txt",
            None,
            422,
            "cv_too_many_chars",
        ),
        ("PDF flate bomb (300 MB)", cv_data.pdf_flate_bomb(300), "cv.pdf", None, 422, "cv_unsafe"),
        ("DOCX zip bomb (200 MB)", cv_data.docx_zip_bomb(200), "cv.docx", None, 422, "cv_unsafe"),
        ("DOCX billion laughs", cv_data.billion_laughs_docx(), "cv.docx", None, 422, "cv_unsafe"),
        ("DOCX external entity", cv_data.external_entity_docx(), "cv.docx", None, 422, "cv_unsafe"),
        ("DOCX 80k-deep XML", cv_data.deep_xml_docx(), "cv.docx", None, 422, "cv_unsafe"),
        ("PDF named .docx", cv_data.good_pdf(), "cv.docx", None, 422, "cv_mislabelled"),
        ("DOCX named .pdf", cv_data.good_docx(), "cv.pdf", None, 422, "cv_mislabelled"),
        ("PNG photo named .pdf", cv_data.png_photo(), "cv.pdf", None, 422, "cv_unsupported_type"),
        (
            "zip that is not a DOCX",
            cv_data.zip_not_docx(),
            "cv.docx",
            None,
            422,
            "cv_unsupported_type",
        ),
        (
            "scanned PDF (no text)",
            cv_data.render_pdf([cv_data.Block("photo")]),
            "cv.pdf",
            None,
            422,
            "cv_no_text",
        ),
    ]


def bad_file_suite(reviewer, settings) -> tuple[bool, dict]:
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(settings, components=SimpleNamespace(cv_reviewer=reviewer))  # type: ignore[arg-type]
    rows = []
    ok_count = 0
    files = bad_files()
    with TestClient(app) as client:
        for name, payload, filename, language, status, code in files:
            start = time.perf_counter()
            form = {"language": language} if language else {}
            r = client.post("/api/cv/review", files={"file": (filename, payload)}, data=form)
            took = time.perf_counter() - start
            body = r.json()
            got_code = body.get("error", {}).get("code") if r.status_code != 200 else "-"
            good = r.status_code == status and got_code == code
            if good and language and language != "en":
                # the message is in the worker's language, not English
                english = reviewer.messages.get("en", f"errors.{code[3:]}")
                good = body["error"]["message"] != english
            ok_count += good
            rows.append(
                [
                    name,
                    f"{len(payload):,}",
                    str(r.status_code),
                    got_code,
                    f"{took:.2f}",
                    "✓" if good else f"✗ want {status} {code}",
                ]
            )
        # the service keeps answering: health and a good CV after all of that
        alive = client.get("/healthz").status_code == 200
        data, filename, _ = cv_data.render(cv_data.build_blocks("priya", "care_worker"), "pdf")
        after = client.post("/api/cv/review", files={"file": (filename, data)})
        alive = alive and after.status_code == 200 and after.json()["score"] >= 80
    print(table(rows, ["file", "bytes", "status", "code", "s", "result"]))
    print(f"{ok_count}/{len(files)} rejected correctly; service still answering: {alive}")
    return ok_count == len(files) and alive, {"rejected": ok_count, "files": len(files)}
