"""POST /api/cv/review and the /cv page, on the production assembly."""

import asyncio
import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from assistant.settings import Settings
from assistant.storage.models import AnalyticsEvent
from evals import cv_data
from evals.cv_data import build_blocks

EMAIL, PHONE = "priya.nair@example.com", "07700 900123"


@pytest.fixture(scope="module")
def cv_components(tmp_path_factory):
    """The production CV reviewer (parsing subprocess, Presidio, SQLite analytics sink) without
    the chat stack, which these routes do not use (and without the rate limiter, so the tests
    can post more than five files a minute)."""
    from assistant.analytics.events import SqlAnalyticsSink
    from assistant.container import build_cv_reviewer
    from assistant.messages import Messages
    from assistant.redaction import PresidioRedactor
    from assistant.storage.database import init_db, make_engine, session_factory

    data_dir = tmp_path_factory.mktemp("cv-data")
    settings = Settings(data_dir=data_dir, environment="test")
    engine = make_engine(settings.database_url)
    init_db(engine)
    sessions = session_factory(engine)
    reviewer = build_cv_reviewer(settings, PresidioRedactor(), SqlAnalyticsSink(sessions))
    return SimpleNamespace(
        cv_reviewer=reviewer, messages=Messages(), settings=settings, sessions=sessions
    )


@pytest.fixture(scope="module")
def app(cv_components):
    return create_app(cv_components.settings, components=cv_components)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def cv(fmt="pdf", **kw):
    data, name, ctype = cv_data.render(build_blocks("priya", "care_worker", **kw), fmt)
    return {"file": (name, data, ctype)}


def test_review_shape_is_exactly_the_contract(client):
    r = client.post("/api/cv/review", files=cv(omit=["dbs"]), data={"target_role": "care_worker"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"language", "score", "sections", "findings", "hidden_text_found"}
    assert body["language"] == "en" and 0 <= body["score"] <= 100
    assert all(set(s) == {"name", "score"} for s in body["sections"])
    assert body["findings"] == [
        {
            "severity": "medium",
            "section": "dbs",
            "message": body["findings"][0]["message"],
            "suggestion": body["findings"][0]["suggestion"],
        }
    ]
    assert body["hidden_text_found"] is False


def test_report_in_urdu_with_hidden_text(client):
    r = client.post(
        "/api/cv/review",
        files=cv("docx", add=["hidden"], variants={"hidden_style": "white"}),
        data={"language": "ur"},
    )
    body = r.json()
    assert body["language"] == "ur" and body["hidden_text_found"] is True
    first = body["findings"][0]
    assert first["severity"] == "high" and first["section"] == "hidden_text"
    assert re.search("[\u0600-\u06ff]", first["message"])


def test_errors_are_in_the_workers_language(client):
    r = client.post(
        "/api/cv/review",
        files={"file": ("cv.pdf", cv_data.encrypted_pdf(), "application/pdf")},
        data={"language": "bn"},
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "cv_encrypted" and re.search("[\u0980-\u09ff]", err["message"])


@pytest.mark.parametrize(
    ("files", "data", "code"),
    [
        ({"file": ("cv.docx", cv_data.good_pdf())}, {}, "cv_mislabelled"),
        ({"file": ("cv.pdf", cv_data.many_pages_pdf(11))}, {}, "cv_too_many_pages"),
        ({"file": ("cv.docx", cv_data.billion_laughs_docx())}, {}, "cv_unsafe"),
        ({"file": ("cv.txt", b"hello there")}, {"target_role": "pilot"}, "unknown_target_role"),
        ({"file": ("cv.txt", b"hello there")}, {"language": "xx"}, "unsupported_language"),
        ({"other": ("cv.txt", b"hello")}, {}, "invalid_input"),
    ],
)
def test_bad_uploads_get_422(client, files, data, code):
    r = client.post("/api/cv/review", files=files, data=data)
    assert r.status_code == 422 and r.json()["error"]["code"] == code


def test_not_multipart_is_422(client):
    r = client.post("/api/cv/review", json={"file": "x"})
    assert r.status_code == 422


# ---------------------------------------------------------------- 413 before the body is read
def _call(app, headers, chunks):
    """Drive the ASGI app directly and count how much of the body it pulled."""
    pulled = {"chunks": 0}
    sent = []

    async def receive():
        i = pulled["chunks"]
        pulled["chunks"] += 1
        if i < len(chunks):
            return {"type": "http.request", "body": chunks[i], "more_body": i + 1 < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/cv/review",
        "raw_path": b"/api/cv/review",
        "query_string": b"language=hi",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, pulled["chunks"]


MB = 1024 * 1024
HEAD = (
    b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="cv.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
)


def test_413_from_content_length_without_reading_the_body(app):
    chunks = [HEAD] + [b"0" * MB] * 49
    status, body, pulled = _call(
        app,
        {"content-type": "multipart/form-data; boundary=XyZ", "content-length": str(50 * MB)},
        chunks,
    )
    assert status == 413 and b"cv_too_large" in body
    assert pulled == 0
    assert b"5 MB" in body and re.search("[\u0900-\u097f]", body.decode())  # Hindi


def test_413_part_way_through_a_body_without_content_length(app):
    chunks = [HEAD] + [b"0" * MB] * 49  # 49 MB, chunked: no length announced
    status, body, pulled = _call(app, {"content-type": "multipart/form-data; boundary=XyZ"}, chunks)
    assert status == 413 and b"cv_too_large" in body
    assert pulled <= 7  # stopped just past 5 MB, not after 50


def test_just_under_the_limit_is_read(client):
    data = cv_data.good_pdf()
    padded = data + b"\n%" + b"0" * (5 * MB - len(data) - 100)
    r = client.post("/api/cv/review", files={"file": ("cv.pdf", padded, "application/pdf")})
    assert r.status_code == 200


# ---------------------------------------------------------------- privacy
def test_only_an_analytics_event_is_stored(client, cv_components):
    sessions = cv_components.sessions
    data_dir = cv_components.settings.data_dir

    def count():
        with sessions() as s:
            return len(s.scalars(select(AnalyticsEvent).where(AnalyticsEvent.kind == "cv_review")).all())

    before = count()
    r = client.post(
        "/api/cv/review",
        files=cv("docx", add=["id_numbers"]),
        data={"language": "ta", "local_authority": "dudley"},
    )
    assert r.status_code == 200
    assert count() == before + 1
    with sessions() as s:
        event = s.scalars(
            select(AnalyticsEvent).where(AnalyticsEvent.kind == "cv_review").order_by(AnalyticsEvent.id.desc())
        ).first()
    assert (event.language, event.local_authority, event.categories) == ("ta", "dudley", [])
    secrets = [EMAIL, PHONE, "JH 12 34 56 C", "987654321", "Oak House Care Home"]
    for path in data_dir.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert not [s for s in secrets if s.encode() in raw], path
    assert all(s not in r.text for s in secrets[:4])


# ---------------------------------------------------------------- the page
def test_cv_page_in_urdu_is_rtl_and_has_no_inline_script(client):
    r = client.get("/cv?lang=ur")
    assert r.status_code == 200
    assert 'dir="rtl"' in r.text and "اپنا CV چیک کریں" in r.text
    assert '<script src="/static/cv.js" defer></script>' in r.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text)
    assert client.get("/static/cv.js").status_code == 200
