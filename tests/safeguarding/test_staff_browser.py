"""The staff queue in a real browser: a lead signs in, a worker's message appears as a case,
the lead acknowledges, refers and closes it; the worker's consented contact reaches the lead."""

from __future__ import annotations

from pathlib import Path

import pytest

import api.routes.staff as staff_routes
from api.app import create_app
from tests.auth_helpers import PASSWORD, create_staff
from tests.browser import needs_chromium, serve

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def server(sg_components):
    staff_routes.REFRESH_S = 2  # the queue refreshes itself every 2 s here (10 s by default)
    create_staff(sg_components, "browser.lead", "safeguarding_lead", ["sandwell"])
    app = create_app(sg_components.settings, components=sg_components)
    with serve(app) as url:
        yield url
    staff_routes.REFRESH_S = 10


def test_lead_sees_a_new_case_and_works_it_to_a_close(server, browser):
    from playwright.sync_api import expect

    lead = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    lead.goto(f"{server}/staff/cases")
    assert "/staff/login" in lead.url  # signed out: sent to sign in
    lead.fill("#username", "browser.lead")
    lead.fill("#password", PASSWORD)
    lead.click("#sign-in")
    lead.wait_for_url(f"{server}/staff/cases**")
    before = lead.locator(".case").count()

    worker = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    worker.goto(f"{server}/?council=sandwell")
    worker.fill("#message", "My boss keeps my passport and says I owe him £5000")
    worker.click("#send")
    worker.wait_for_selector(".turn.assistant.escalated", timeout=30000)
    # the consent form appears; the worker leaves a number
    worker.wait_for_selector("#contact-offer:not([hidden])")
    worker.fill("#contact-value", "07700 900777")
    worker.click("#contact-send")
    assert worker.locator("#contact-form").is_visible()  # not sent without the consent box
    worker.check("#contact-consent")
    worker.click("#contact-send")
    worker.wait_for_selector("#contact-form[hidden]", state="attached", timeout=10000)

    # the lead's queue refreshes itself: the case appears without a reload
    # (locator waits: the strict CSP forbids the eval that string predicates need)
    expect(lead.locator(".case")).to_have_count(before + 1, timeout=20000)
    newest = lead.locator(".case.status-new").first
    assert "HIGH" in newest.inner_text() and "Sandwell" in newest.inner_text()
    assert lead.evaluate("document.documentElement.scrollWidth") <= 360
    SHOTS.mkdir(parents=True, exist_ok=True)
    lead.screenshot(path=str(SHOTS / "staff-cases-360.png"), full_page=True)
    newest.locator("a").click()
    lead.wait_for_selector("#acknowledge")
    assert "07700900777" in lead.locator(".contact-value").inner_text()
    assert "passport" in lead.locator(".conversation-record").inner_text()

    lead.click("#acknowledge")
    lead.wait_for_selector("#refer")
    assert lead.locator("#case-status").inner_text() == "acknowledged"
    lead.select_option("#refer-to", "modern_slavery_helpline")
    lead.fill("#refer-note", "Referred with the worker's agreement")
    lead.click("#refer")
    expect(lead.locator("#case-status")).to_have_text("referred")
    lead.fill("#outcome", "Worker safe; documents returned")
    lead.click("#close")
    expect(lead.locator("#case-status")).to_have_text("closed")
    record = lead.locator(".audit").inner_text()
    for step in ("browser.lead: acknowledged", "browser.lead: referred", "browser.lead: closed"):
        assert step in record
    assert "Worker safe; documents returned" in record
    assert lead.evaluate("document.documentElement.scrollWidth") <= 360
    lead.screenshot(path=str(SHOTS / "staff-case-closed-360.png"), full_page=True)
