"""The worker's chat page in a real browser (Debian chromium via Playwright)."""

from pathlib import Path

import pytest

from api.app import create_app
from tests.browser import needs_chromium, serve

pytestmark = needs_chromium
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def server(real_components):
    app = create_app(real_components.settings, components=real_components)
    with serve(app) as url:
        yield url


def test_worker_sends_a_message_and_sees_a_cited_reply_on_a_phone(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{server}/?lang=hi")
    page.fill("#message", "मेरी कंपनी का स्पॉन्सर लाइसेंस रद्द हो गया है, मेरे वीज़ा का क्या होगा?")
    page.click("#send")
    page.wait_for_selector(".turn.assistant .sources a", timeout=20000)
    link = page.locator(".turn.assistant .sources a").first
    assert link.get_attribute("href").startswith("/guide/")
    reply = page.locator(".turn.assistant .reply").first.inner_text()
    assert any("\u0900" <= ch <= "\u097f" for ch in reply)
    page.locator("details.english summary").first.click()
    assert "visa" in page.locator("details.english .reply").first.inner_text().lower()
    # nothing overflows a 360-px screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-hindi-360.png"), full_page=True)
    page.close()


URDU_ESCALATION = "میرا مالک میرا پاسپورٹ اپنے پاس رکھتا ہے اور کہتا ہے کہ میں اس کا مقروض ہوں"
# The helpline number on screen, read from its first and last digit groups: in right-to-left
# text the bidi algorithm would show "700 121 08000" unless the number is isolated.
HELPLINE_IN_ORDER = """() => {
  const reply = document.querySelector('.turn.assistant.escalated .reply[lang="ur"]');
  const bdi = [...reply.querySelectorAll('bdi')].find(b => b.textContent === '08000 121 700');
  if (!bdi) return 'no <bdi> around the number';
  const t = bdi.firstChild, r = document.createRange();
  r.setStart(t, 0); r.setEnd(t, 5);
  const first = r.getBoundingClientRect();
  r.setStart(t, t.length - 3); r.setEnd(t, t.length);
  const last = r.getBoundingClientRect();
  return [first.left < last.left, Math.abs(first.top - last.top) < 2];
}"""


def _urdu_escalation_checks(page):
    assert page.evaluate("document.documentElement.dir") == "rtl"
    reply = page.locator(".turn.assistant.escalated .reply").first
    assert reply.get_attribute("dir") == "rtl"
    assert "08000 121 700" in reply.inner_text()
    # the fixed safety text comes first and is set apart from the answer
    assert reply.evaluate("r => r.firstElementChild.className") == "safety"
    assert "08000 121 700" in reply.locator(".safety").inner_text()
    assert page.evaluate(HELPLINE_IN_ORDER) == [True, True]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_urdu_page_is_right_to_left_and_escalation_is_highlighted(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{server}/?lang=ur")
    page.fill("#message", URDU_ESCALATION)
    page.click("#send")
    page.wait_for_selector(".turn.assistant.escalated", timeout=20000)
    _urdu_escalation_checks(page)  # the reply chat.js built
    page.screenshot(path=str(SHOTS / "chat-urdu-escalation-360.png"), full_page=True)
    page.close()


def test_urdu_reply_without_javascript_keeps_numbers_left_to_right(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page.goto(f"{server}/?lang=ur")
    page.fill("#message", URDU_ESCALATION)
    page.click("#send")  # a plain form post; the server renders the reply
    page.wait_for_selector(".turn.assistant.escalated", timeout=20000)
    _urdu_escalation_checks(page)
    page.close()


def test_empty_message_shows_an_error_without_sending(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/")
    page.evaluate("document.getElementById('message').removeAttribute('required')")
    page.click("#send")
    assert page.locator("#error").is_visible()
    assert page.locator(".turn").count() == 0
    page.close()


def test_choosing_a_language_reloads_the_page_in_it_keeping_the_council(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{server}/?lang=en")
    page.select_option("#council", "walsall")
    with page.expect_navigation():
        page.select_option("#lang", "ur")
    assert "lang=ur" in page.url and "council=walsall" in page.url
    assert page.get_attribute("html", "dir") == "rtl"
    page.close()
