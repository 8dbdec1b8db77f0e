import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.settings import Settings


@pytest.fixture(scope="module")
def client(real_components):
    app = create_app(real_components.settings, components=real_components)
    with TestClient(app) as c:
        yield c


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert body["components"]["vector_store"]["documents"] > 0


def test_not_ready_until_loaded(tmp_path):
    app = create_app(Settings(data_dir=tmp_path), components=None)
    c = TestClient(app)  # no lifespan: nothing loads
    assert c.get("/readyz").status_code == 503
    r = c.post("/api/chat", json={"message": "hello there friend"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"


def test_chat_reply_shape(client):
    r = client.post(
        "/api/chat", json={"message": "How do I get my holiday pay from my employer?"}
    )
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "session_id",
        "reply",
        "reply_english",
        "language",
        "citations",
        "categories",
        "escalated",
        "severity",
    }
    assert body["language"] == "en" and body["reply_english"] is None
    assert len(body["session_id"]) >= 32
    assert body["citations"] and {"title", "url"} == set(body["citations"][0])
    assert body["severity"] == "none" and body["escalated"] is False


def test_session_ids_are_unguessable_and_distinct(client):
    a = client.post("/api/chat", json={"message": "how do I register with a GP"}).json()
    b = client.post("/api/chat", json={"message": "how do I register with a GP"}).json()
    assert a["session_id"] != b["session_id"]


def test_explicit_language_wins(client):
    r = client.post("/api/chat", json={"message": "How do I find a new sponsor?", "language": "ta"})
    assert r.json()["language"] == "ta"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"message": ""}, "message_empty"),
        ({"message": "a" * 4001}, "message_too_long"),
        ({"message": "help", "local_authority": "narnia"}, "unknown_local_authority"),
        ({"message": "help", "language": "xx"}, "unsupported_language"),
        ({"msg": "wrong field"}, "invalid_request"),
    ],
)
def test_bad_requests_get_422_with_a_clear_code(client, payload, code):
    r = client.post("/api/chat", json=payload)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == code


def test_unknown_council_lists_the_valid_slugs(client):
    r = client.post("/api/chat", json={"message": "help", "local_authority": "narnia"})
    assert "birmingham" in r.json()["error"]["detail"]["valid"]


def test_validation_errors_do_not_echo_input(client):
    r = client.post("/api/chat", json={"message": 12345678, "session_id": ["07700 900123"]})
    assert r.status_code == 422 and "07700 900123" not in r.text


def test_local_authorities(client):
    las = client.get("/api/local-authorities").json()
    assert len(las) == 14
    assert {"slug": "telford-and-wrekin", "name": "Telford and Wrekin"} in las


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    assert "/api/chat" in client.get("/openapi.json").json()["paths"]


def test_chat_page_and_guide_pages_render(client):
    page = client.get("/?lang=ur")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    guide = client.get("/guide/visa-60-day-curtailment?lang=hi")
    assert guide.status_code == 200 and "60" in guide.text
    assert client.get("/guide/no-such-article").status_code == 404


def test_form_post_works_without_javascript(client):
    r = client.post("/", data={"message": "How do I register with a GP?", "lang": "en"})
    assert r.status_code == 200 and "/guide/" in r.text


def test_page_escapes_user_text(client):
    r = client.post("/", data={"message": "<script>alert(1)</script> my visa", "lang": "en"})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text
