"""The CV page in a real browser (Debian chromium via Playwright), on a phone-sized screen."""

from pathlib import Path

import pytest

from api.app import create_app
from evals import cv_data
from evals.cv_data import build_blocks
from tests.browser import needs_chromium, serve

pytestmark = needs_chromium
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from types import SimpleNamespace

    from assistant.container import build_cv_reviewer
    from assistant.messages import Messages
    from assistant.redaction import PresidioRedactor
    from assistant.settings import Settings

    class Sink:
        def record(self, **event):
            pass

    settings = Settings(data_dir=tmp_path_factory.mktemp("cv-page"), environment="test")
    components = SimpleNamespace(
        cv_reviewer=build_cv_reviewer(settings, PresidioRedactor(), Sink()), messages=Messages()
    )
    app = create_app(settings, components=components)
    with serve(app) as url:
        yield url


def test_upload_shows_progress_then_a_translated_report_on_a_phone(server, browser, tmp_path):
    path = tmp_path / "cv.pdf"
    path.write_bytes(
        cv_data.render_pdf(build_blocks("priya", "care_worker", omit=["dbs"], add=["photo"]))
    )
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{server}/cv?lang=hi")
    page.evaluate(
        """() => { window.__progress = [];
        new MutationObserver(() => window.__progress.push(document.getElementById('status')
          .textContent)).observe(document.getElementById('status'),
          {childList: true, characterData: true, subtree: true}); }"""
    )
    page.set_input_files("#file", str(path))
    page.click("#submit")
    page.wait_for_selector("#report:not([hidden]) .finding", timeout=30000)
    seen = page.evaluate("window.__progress")
    assert any(s for s in seen), seen  # the status line moved while uploading/checking
    messages = page.locator(".finding .message").all_inner_texts()
    assert len(messages) == 2 and all(any("\u0900" <= c <= "\u097f" for c in m) for m in messages)
    assert "Enhanced DBS" in page.locator(".finding .suggestion").last.inner_text()
    assert int(page.locator("#score").inner_text()) < 100
    assert page.locator("#sections li:not([hidden])").count() == 13
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "cv-hindi-360.png"), full_page=True)
    page.close()


def test_wrong_file_shows_the_message_in_the_workers_language(server, browser, tmp_path):
    path = tmp_path / "cv.pdf"
    path.write_bytes(cv_data.encrypted_pdf())
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{server}/cv?lang=sw")
    page.set_input_files("#file", str(path))
    page.click("#submit")
    page.wait_for_selector("#error:not([hidden])", timeout=30000)
    assert "nenosiri" in page.locator("#error").inner_text()
    assert page.locator("#report").is_hidden()
    page.close()


def test_too_large_is_refused_in_the_page_before_upload(server, browser, tmp_path):
    path = tmp_path / "big.pdf"
    path.write_bytes(cv_data.oversized(6))
    page = browser.new_page()
    page.goto(f"{server}/cv?lang=en")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/api/cv/review" in r.url else None)
    page.set_input_files("#file", str(path))
    page.click("#submit")
    assert "5 MB" in page.locator("#error").inner_text()
    assert requests == []
    page.close()
