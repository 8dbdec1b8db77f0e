"""The analytics API and page: roles, filters, suppression, CSV, and nothing personal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.analytics.suppression import SUPPRESSED, is_publishable
from assistant.topics import CATEGORIES
from tests.analytics.test_suppression_properties import published_numbers
from tests.auth_helpers import bearer, create_staff, page_login


@pytest.fixture(scope="module")
def client(seeded):
    settings, components = seeded
    for name, role in (("pat", "programme"), ("ada", "admin"), ("lee", "safeguarding_lead")):
        create_staff(
            components, name, role, councils=("birmingham",) if role == "safeguarding_lead" else ()
        )
    with TestClient(create_app(settings, components=components)) as c:
        yield c


@pytest.fixture(scope="module")
def programme(client):
    return bearer(client, "pat")


# the seed spreads events over the 26 weeks before today
WIDE = {
    "from": (dt.date.today() - dt.timedelta(weeks=30)).isoformat(),
    "to": dt.date.today().isoformat(),
}


def test_summary_needs_a_programme_or_admin_sign_in(client):
    r = client.get("/api/analytics/summary")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/analytics/summary", headers=bearer(client, "lee")).status_code == 403
    assert client.get("/api/analytics/export.csv", headers=bearer(client, "lee")).status_code == 403
    assert client.get("/api/analytics/summary", headers=bearer(client, "ada")).status_code == 200


def test_summary_has_every_series_and_only_publishable_numbers(client, programme):
    r = client.get("/api/analytics/summary", headers=programme, params={"from": "2026-06-01"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"weeks", "totals", "activity", "topics", "by_council", "by_language",
                         "escalations", "gaps", "suppression"}  # fmt: skip
    assert [t["category"] for t in body["topics"]] == list(CATEGORIES)
    assert set(body["escalations"]) == {"high", "urgent"}
    assert body["suppression"]["marker"] == SUPPRESSED
    assert body["totals"]["messages"] > 1000  # the seeded data shows through
    numbers = list(published_numbers(body))
    assert numbers and all(is_publishable(v) for v in numbers)
    assert SUPPRESSED in numbers  # small groups exist in 20,000 events, and are hidden


def test_dates_widen_to_whole_weeks_and_weeks_are_the_finest_time(client, programme):
    r = client.get(
        "/api/analytics/summary",
        headers=programme,
        params={"from": "2026-06-03", "to": "2026-06-10"},
    )
    f = r.json()["filters"]
    assert (f["from"], f["to"]) == ("2026-06-01", "2026-06-14")  # Monday .. Sunday
    assert r.json()["weeks"] == ["2026-06-01", "2026-06-08"]


def test_gaps_rank_topics_and_languages_without_good_enough_guidance(client, programme):
    body = client.get("/api/analytics/summary", headers=programme, params=WIDE).json()
    by_language = body["gaps"]["by_language"]
    shown = [r["unanswered"] for r in by_language if r["unanswered"] != SUPPRESSED]
    assert shown == sorted(shown, reverse=True)
    rate = {r["language"]: r["messages"] for r in body["by_language"]}
    gaps = {r["language"]: r["unanswered"] for r in by_language}
    # the seed gives Yoruba guidance gaps far more often than English
    assert gaps["yo"] / rate["yo"] > 2 * gaps["en"] / rate["en"]


def test_filters_narrow_every_series(client, programme):
    params = {**WIDE, "local_authority": "birmingham", "language": "ml", "category": "housing"}
    body = client.get("/api/analytics/summary", headers=programme, params=params).json()
    assert [r["local_authority"] for r in body["by_council"]] == ["birmingham"]
    assert [r["language"] for r in body["by_language"]] == ["ml"]
    assert [t["category"] for t in body["topics"]] == ["housing"]
    everything = client.get("/api/analytics/summary", headers=programme, params=WIDE).json()
    assert 0 < body["totals"]["messages"] < everything["totals"]["messages"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "01/06/2026"}, "from"),
        ({"from": "2026-06-10", "to": "2026-06-01"}, "after"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "weeks"),
        ({"local_authority": "atlantis"}, "council"),
        ({"language": "xx"}, "language"),
        ({"category": "gossip"}, "category"),
    ],
)
def test_bad_filters_are_refused_with_a_stable_code(client, programme, params, field):
    r = client.get("/api/analytics/summary", headers=programme, params=params)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_filter"
    assert field in r.json()["error"]["message"].lower()


def test_csv_export_has_the_same_suppressed_numbers(client, programme):
    params = {**WIDE, "language": "sw"}
    r = client.get("/api/analytics/export.csv", headers=programme, params=params)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="harbour-analytics-')
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {row["language"] for row in rows} == {"sw"}
    counts = [row["count"] for row in rows]
    assert all(c == SUPPRESSED or int(c) == 0 or int(c) >= 5 for c in counts)
    summary = client.get("/api/analytics/summary", headers=programme, params=params).json()
    total = next(row for row in rows if row["section"] == "totals" and row["measure"] == "messages")
    assert total["count"] == str(summary["totals"]["messages"])


def test_nothing_personal_or_finer_than_a_week_leaves(client, programme):
    text = client.get("/api/analytics/summary", headers=programme, params=WIDE).text
    text += client.get("/api/analytics/export.csv", headers=programme, params=WIDE).text
    assert not re.search(r"\d{2}:\d{2}", text)  # no times of day
    assert "session" not in text.lower() and "conversation_id" not in text
    weeks = set(re.findall(r"\d{4}-\d{2}-\d{2}", text))
    assert weeks and all(dt.date.fromisoformat(w).weekday() in (0, 6) for w in weeks)


def test_the_page_redirects_to_sign_in_and_renders_tables_for_programme_staff(seeded):
    settings, components = seeded
    with TestClient(create_app(settings, components=components)) as c:
        r = c.get("/analytics", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/staff/login?next=")
        page_login(c, "pat")
        r = c.get("/analytics", params={"local_authority": "coventry"})
        assert r.status_code == 200
        assert "script-src 'self'" in r.headers["content-security-policy"]
        html = r.text
        for table in ("activity", "topics", "councils", "languages", "gaps-topic",
                      "gaps-language", "escalations"):  # fmt: skip
            assert f'id="table-{table}"' in html and f'id="chart-{table}"' in html
        # no inline script: only external files and the JSON data block
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert 'value="coventry" selected' in html
        assert re.search(
            r"export\.csv\?from=[\d-]+&amp;to=[\d-]+&amp;local_authority=coventry", html
        )
        bad = c.get("/analytics", params={"category": "gossip"})
        assert bad.status_code == 422 and "Unknown category" in bad.text
