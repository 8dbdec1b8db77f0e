"""The guide pages citations link to, in a real browser on a 360-px phone screen.

Only the knowledge base is loaded (no models): the guide pages need nothing else.
"""

from pathlib import Path
from types import SimpleNamespace

import pytest

from api.app import create_app
from assistant.container import Components
from assistant.messages import Messages
from assistant.settings import Settings
from knowledge_base.schema import KnowledgeBase
from tests.browser import needs_chromium, serve

# The guide pages and the article API use only the knowledge base and the page strings.
NO_ASSISTANT = SimpleNamespace(composer=None)

pytestmark = needs_chromium
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARTICLES = ("visa-60-day-curtailment", "pay-minimum-wage-rates", "council-birmingham")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("guide"), environment="test")
    kb = KnowledgeBase.from_dir(settings.content_dir)
    components = Components(
        assistant=NO_ASSISTANT, kb=kb, store=None, embedder=None, messages=Messages()  # type: ignore[arg-type]
    )
    app = create_app(settings, components=components)
    with serve(app) as url:
        yield url


@pytest.mark.parametrize("lang", ["en", "hi", "ur", "ta", "yo"])
def test_guide_pages_fit_a_phone(server, browser, lang):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    for article_id in ARTICLES:
        page.goto(f"{server}/guide/{article_id}?lang={lang}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, article_id
        assert page.locator(".meta .sources-list a").count() >= 1
    page.close()


def test_urdu_translation_beside_english_with_numbers_in_order(server, browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{server}/guide/visa-60-day-curtailment?lang=ur")
    assert page.evaluate("getComputedStyle(document.querySelector('.translation')).direction") == (
        "rtl"
    )
    assert page.locator(".translation h1").inner_text() != page.locator(".original h2.title").inner_text()
    assert page.locator("details.english").get_attribute("open") is not None
    # "0300 790 6268" must read left to right on screen, not "6268 790 0300"
    text, in_order = page.evaluate(
        """() => {
          const bdi = [...document.querySelectorAll('.translation bdi')]
            .find(b => b.textContent.startsWith('0300'));
          const t = bdi.firstChild, r = document.createRange();
          r.setStart(t, 0); r.setEnd(t, 4);
          const first = r.getBoundingClientRect().left;
          r.setStart(t, t.length - 4); r.setEnd(t, t.length);
          return [bdi.textContent, first < r.getBoundingClientRect().left];
        }"""
    )
    assert text == "0300 790 6268" and in_order
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "guide-urdu-360.png"), full_page=True)
    page.close()
