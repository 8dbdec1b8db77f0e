"""GET /api/articles/{id} and the /guide/{id} page, on a small knowledge base (no models)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.container import Components
from assistant.messages import Messages
from assistant.settings import Settings
from knowledge_base.schema import Article, KnowledgeBase, Translation

# The guide pages and the article API use only the knowledge base and the page strings.
NO_ASSISTANT = SimpleNamespace(composer=None)

BODY = """## What to do

Call the UKVI Contact Centre on 0300 790 6268. See [finding a sponsor](guide:visa-b).

| Year | Rate |
|---|---|
| from 1 April 2026 | £12.71 |

<script>alert(1)</script>
"""


def _article(article_id: str, **changes) -> Article:
    data = {
        "id": article_id,
        "title": f"English title {article_id}",
        "topic": "visa_immigration",
        "summary": "One plain sentence.",
        "source_urls": ["https://www.gov.uk/guidance/some-page", "https://learn.nes.nhs.scot/79198"],
        "last_reviewed": dt.date(2026, 12, 1),
        "review_by": dt.date(2027, 6, 1),
        "local_authority": None,
        "confidence": "SEEN-GOV: all.",
        "key_points": ["First point.", "Call UKVI on 0300 790 6268."],
        "questions": ["Where do I start?", "Who do I call?", "What is a sponsor?"],
        "body": BODY,
        "translations": {
            "hi": Translation(
                title="हिंदी शीर्षक",
                key_points=["पहला बिंदु।", "UKVI को 0300 790 6268 पर कॉल करें।"],
                questions=["कहाँ से शुरू करूँ?", "किसे कॉल करूँ?", "sponsor क्या है?"],
            ),
            "ur": Translation(
                title="اردو عنوان",
                key_points=["پہلا نکتہ۔", "UKVI کو 0300 790 6268 پر کال کریں۔"],
                questions=["کہاں سے شروع کروں؟", "کس کو کال کروں؟", "sponsor کیا ہے؟"],
            ),
            # one key point short: never shown, the English is used instead
            "ta": Translation(title="தமிழ் தலைப்பு", key_points=["ஒன்று."], questions=[]),
        },
    }
    data.update(changes)
    return Article(**data)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    kb = KnowledgeBase(
        [_article("visa-a"), _article("visa-b", translations={}, local_authority="dudley")]
    )
    components = Components(
        assistant=NO_ASSISTANT, kb=kb, store=None, embedder=None, messages=Messages()  # type: ignore[arg-type]
    )
    settings = Settings(data_dir=tmp_path_factory.mktemp("articles"), environment="test")
    with TestClient(create_app(settings, components=components)) as c:
        yield c


# --- the API -----------------------------------------------------------------------------


def test_article_json_in_english(client):
    r = client.get("/api/articles/visa-a")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "id",
        "url",
        "title",
        "topic",
        "summary",
        "key_points",
        "questions",
        "body",
        "source_urls",
        "last_reviewed",
        "review_by",
        "local_authority",
        "translation",
    }
    assert body["id"] == "visa-a" and body["url"] == "/guide/visa-a"
    assert body["title"] == "English title visa-a"
    assert body["key_points"][1] == "Call UKVI on 0300 790 6268."
    assert body["source_urls"] == [
        "https://www.gov.uk/guidance/some-page",
        "https://learn.nes.nhs.scot/79198",
    ]
    assert body["last_reviewed"] == "2026-12-01" and body["review_by"] == "2027-06-01"
    assert body["local_authority"] is None
    assert "guide:visa-b" in body["body"]  # markdown, as written
    assert body["translation"] is None


def test_article_json_with_translation(client):
    body = client.get("/api/articles/visa-a", params={"lang": "hi"}).json()
    assert body["title"] == "English title visa-a"  # the English stays
    assert body["translation"] == {
        "language": "hi",
        "title": "हिंदी शीर्षक",
        "key_points": ["पहला बिंदु।", "UKVI को 0300 790 6268 पर कॉल करें।"],
        "questions": ["कहाँ से शुरू करूँ?", "किसे कॉल करूँ?", "sponsor क्या है?"],
    }


@pytest.mark.parametrize("lang", ["en", "sw", "ta"])
def test_no_translation_when_missing_or_incomplete(client, lang):
    r = client.get("/api/articles/visa-a", params={"lang": lang})
    assert r.status_code == 200 and r.json()["translation"] is None


def test_unknown_article_is_404_with_the_standard_error(client):
    r = client.get("/api/articles/no-such-article")
    assert r.status_code == 404
    assert r.json() == {
        "error": {
            "code": "article_not_found",
            "message": "There is no guide article with this id.",
            "detail": {"id": "no-such-article"},
        }
    }


def test_unsupported_language_is_422(client):
    r = client.get("/api/articles/visa-a", params={"lang": "xx"})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "unsupported_language" and "hi" in error["detail"]["valid"]


def test_not_ready_is_503(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, environment="test"), components=None)
    r = TestClient(app).get("/api/articles/visa-a")  # no lifespan: nothing loads
    assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"


def test_openapi_documents_the_route(client):
    op = client.get("/openapi.json").json()["paths"]["/api/articles/{article_id}"]["get"]
    assert {"200", "404", "422"} <= set(op["responses"])


# --- the page ----------------------------------------------------------------------------


def test_guide_page_shows_translation_with_english_beside_it(client):
    html = client.get("/guide/visa-a", params={"lang": "hi"}).text
    translation = html.index('<section class="translation" lang="hi" dir="ltr">')
    english = html.index('<section class="original" lang="en" dir="ltr">')
    assert translation < html.index("<h1>हिंदी शीर्षक</h1>") < english
    assert english < html.index('<h2 class="title">English title visa-a</h2>')
    assert "<details class=\"english\" open>" in html
    assert "पहला बिंदु।" in html and "First point." in html


def test_guide_page_sources_are_links(client):
    html = client.get("/guide/visa-a").text
    links = re.findall(r'<a href="(https://[^"]+)" rel="noopener noreferrer"', html)
    assert links == ["https://www.gov.uk/guidance/some-page", "https://learn.nes.nhs.scot/79198"]
    assert '<span class="host">gov.uk</span><span class="path">/guidance/some-page</span>' in html


def test_guide_page_body_links_tables_and_escaping(client):
    html = client.get("/guide/visa-a", params={"lang": "hi"}).text
    assert 'href="/guide/visa-b?lang=hi"' in html  # internal links keep the language
    assert "<table>" in html and "<td>£12.71</td>" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_urdu_page_is_rtl_and_keeps_phone_numbers_in_order(client):
    html = client.get("/guide/visa-a", params={"lang": "ur"}).text
    assert '<html lang="ur" dir="rtl">' in html
    assert '<section class="translation" lang="ur" dir="rtl">' in html
    # an isolated left-to-right number, or RTL layout shows "6268 790 0300"
    assert 'کو <bdi dir="ltr">0300 790 6268</bdi> پر' in html


def test_untranslated_language_says_so_and_shows_english(client):
    html = client.get("/guide/visa-b", params={"lang": "sw"}).text
    assert 'class="notice" lang="sw"' in html
    assert Messages().get("sw", "reply.translation_missing") in html
    assert "<h1>English title visa-b</h1>" in html
    assert 'href="/?lang=sw&amp;council=dudley"' in html  # back to the chat, council kept


def test_page_strings_come_from_the_catalog(client):
    html = client.get("/guide/visa-a", params={"lang": "ta"}).text  # ta: incomplete → English
    assert Messages().get("ta", "guide.last_reviewed") in html
    assert Messages().get("ta", "guide.ask") in html


def test_unknown_guide_page_is_404(client):
    assert client.get("/guide/no-such-article").status_code == 404


# --- the real content --------------------------------------------------------------------


def test_every_real_article_is_served_with_all_translations():
    kb = KnowledgeBase.from_dir(Settings().content_dir)
    components = Components(
        assistant=NO_ASSISTANT, kb=kb, store=None, embedder=None, messages=Messages()  # type: ignore[arg-type]
    )
    c = TestClient(create_app(Settings(environment="test"), components=components))
    for article_id in kb.articles:
        for lang in ("hi", "ur", "sw"):
            r = c.get(f"/api/articles/{article_id}", params={"lang": lang})
            assert r.status_code == 200, article_id
            assert r.json()["translation"]["language"] == lang, (article_id, lang)
