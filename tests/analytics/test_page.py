"""The /analytics page in a real browser (Debian chromium via Playwright), laptop and tablet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.app import create_app
from assistant.analytics.suppression import SUPPRESSED
from tests.auth_helpers import PASSWORD, create_staff
from tests.browser import needs_chromium, serve

pytestmark = needs_chromium
# The README's screenshot is rewritten only on request: HARBOUR_SCREENSHOTS=1 pytest ...
DOCS_SHOT = Path(__file__).resolve().parents[2] / "docs" / "analytics.png"
CHARTS = ("activity", "topics", "councils", "languages", "gaps-topic", "gaps-language")


@pytest.fixture(scope="module")
def server(seeded):
    settings, components = seeded
    create_staff(components, "pat", "programme")
    app = create_app(settings, components=components)
    with serve(app) as url:
        yield url


def sign_in(browser, server, viewport):
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.goto(f"{server}/analytics")
    assert "/staff/login" in page.url
    page.fill("#username", "pat")
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url("**/analytics*")
    page.wait_for_selector("body[data-charts=ready]")
    return page, errors


def chart_data(page, name: str) -> dict:
    return page.evaluate(
        """(id) => {
            const c = Chart.getChart(document.getElementById(id));
            return c ? {labels: c.data.labels, sets: c.data.datasets.map(d => d.data)} : null;
        }""",
        f"chart-{name}",
    )


def table(page, name: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"#table-{name} tbody tr",
        "rows => rows.map(r => Array.from(r.children).map(c => c.textContent.trim()))",
    )


def test_programme_staff_filter_by_council_and_see_charts_and_tables(server, browser, tmp_path):
    page, errors = sign_in(browser, server, {"width": 1280, "height": 900})
    for name in CHARTS:
        data = chart_data(page, name)
        assert data and data["labels"] and data["sets"], name
    councils = table(page, "councils")
    assert len(councils) == 15 and councils[0][0] == "Birmingham"
    # the chart draws the table's numbers, and a "<5" cell as a gap, never as a number
    drawn = chart_data(page, "councils")["sets"][0]
    for row, value in zip(councils, drawn, strict=True):
        assert value is None if row[1] == SUPPRESSED else int(row[1].replace(",", "")) == value
    all_messages = page.inner_text("#totals div:nth-child(2) dd")
    shot = DOCS_SHOT if os.environ.get("HARBOUR_SCREENSHOTS") == "1" else tmp_path / "a.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1280, "height": 900})
    assert shot.stat().st_size > 10_000

    page.select_option("#f-council", "coventry")
    page.wait_for_url("**local_authority=coventry**")
    page.wait_for_selector("body[data-charts=ready]")
    assert [r[0] for r in table(page, "councils")] == ["Coventry"]
    assert chart_data(page, "councils")["labels"] == ["Coventry"]
    coventry = page.inner_text("#totals div:nth-child(2) dd")
    assert int(coventry.replace(",", "")) < int(all_messages.replace(",", ""))
    assert "&local_authority=coventry" in page.get_attribute("#export", "href")
    assert len(table(page, "activity")) == len(chart_data(page, "activity")["labels"])
    assert not errors, errors
    page.close()


def test_the_page_fits_a_tablet_and_each_chart_has_a_table(server, browser):
    page, errors = sign_in(browser, server, {"width": 768, "height": 1024})
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    for name in (*CHARTS, "escalations"):
        assert page.locator(f"#table-{name} caption").count() == 1
        box = page.locator(f"#chart-{name}").bounding_box()
        assert box and box["width"] > 300, name
    assert not errors, errors
    page.close()
