"""The escalation API end to end: a worker's message opens a case a lead can work to a close."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.auth_helpers import bearer, create_staff, page_login

DANGER = "My boss keeps my passport and says I owe him £5000. My number is 07700 900123."


@pytest.fixture(scope="module")
def client(sg_components):
    app = create_app(sg_components.settings, components=sg_components)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def staff(sg_components, client):
    create_staff(sg_components, "esc.lead.wolves", "safeguarding_lead", ["wolverhampton"])
    create_staff(sg_components, "esc.lead.region", "safeguarding_lead", ["regional"])
    create_staff(sg_components, "esc.lead.cov", "safeguarding_lead", ["coventry"])
    create_staff(sg_components, "esc.prog", "programme")
    create_staff(sg_components, "esc.admin", "admin")
    return {
        name: bearer(client, f"esc.{name}")
        for name in ("lead.wolves", "lead.region", "lead.cov", "prog", "admin")
    }


def worker_says(client, text=DANGER, council="wolverhampton", session_id=None):
    r = client.post(
        "/api/chat",
        json={
            "message": text,
            "local_authority": council,
            "session_id": session_id,
            "message_id": str(uuid.uuid4()),
        },
    )
    assert r.status_code == 200 and r.json()["escalated"], r.text
    return r.json()


def newest_case(client, headers, **params):
    cases = client.get("/api/escalations", headers=headers, params=params).json()
    return max(cases, key=lambda c: c["id"])


def test_a_case_is_worked_from_new_to_closed(client, staff):
    lead = staff["lead.wolves"]
    reply = worker_says(client)
    case = newest_case(client, lead, status="new")
    assert case["local_authority"] == "wolverhampton" and case["severity"] == "high"
    assert "withheld_documents" in case["indicators"] and case["overdue"] is False
    detail = client.get(f"/api/escalations/{case['id']}", headers=lead).json()
    worker_text = next(m["text"] for m in detail["messages"] if m["role"] == "user")
    assert "07700 900123" not in worker_text and "passport" in worker_text  # redacted
    assert detail["acknowledge_by"] > detail["created_at"]

    base = f"/api/escalations/{case['id']}"
    r = client.post(f"{base}/refer", json={"to": "police", "note": "x"}, headers=lead)
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"
    r = client.post(f"{base}/acknowledge", headers=lead)
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert r.json()["acknowledged_at"] is not None
    r = client.post(f"{base}/notes", json={"text": "Spoke to the worker."}, headers=lead)
    assert r.status_code == 200
    r = client.post(f"{base}/refer", json={"to": "not-a-service", "note": ""}, headers=lead)
    assert r.status_code == 422
    r = client.post(
        f"{base}/refer", json={"to": "modern_slavery_helpline", "note": "with consent"}, headers=lead
    )
    assert r.json()["status"] == "referred"
    r = client.post(f"{base}/close", json={"outcome": "Worker safe, new employer"}, headers=lead)
    body = r.json()
    assert body["status"] == "closed"
    trail = [(e["actor"], e["action"]) for e in body["events"] if e["action"] != "viewed"]
    assert trail == [
        ("esc.lead.wolves", "acknowledged"),
        ("esc.lead.wolves", "note"),
        ("esc.lead.wolves", "referred"),
        ("esc.lead.wolves", "closed"),
    ]
    assert reply["session_id"]


def test_leads_see_only_their_councils_and_programme_sees_no_cases(client, staff):
    worker_says(client, council="wolverhampton")
    case = newest_case(client, staff["lead.wolves"])
    path = f"/api/escalations/{case['id']}"
    # another council's lead: "not found", and it is not in their list
    assert client.get(path, headers=staff["lead.cov"]).status_code == 404
    assert client.post(f"{path}/acknowledge", headers=staff["lead.cov"]).status_code == 404
    listed = client.get("/api/escalations", headers=staff["lead.cov"]).json()
    assert all(c["local_authority"] == "coventry" for c in listed)
    # regional sees everything
    assert client.get(path, headers=staff["lead.region"]).status_code == 200
    # programme and admin never see case content
    for who in ("prog", "admin"):
        assert client.get("/api/escalations", headers=staff[who]).status_code == 403
        assert client.get(path, headers=staff[who]).status_code == 403
    assert client.get(path).status_code == 401


def test_unknown_council_goes_to_the_regional_queue(client, staff):
    worker_says(client, council=None)
    case = newest_case(client, staff["lead.region"], local_authority="regional")
    assert case["local_authority"] == "regional"
    cov = client.get("/api/escalations", headers=staff["lead.cov"]).json()
    assert case["id"] not in [c["id"] for c in cov]


def test_filters(client, staff):
    worker_says(client, "I want to kill myself tonight", council="wolverhampton")
    urgent = client.get(
        "/api/escalations", headers=staff["lead.wolves"], params={"severity": "urgent"}
    ).json()
    assert urgent and {c["severity"] for c in urgent} == {"urgent"}
    everything = client.get("/api/escalations", headers=staff["lead.wolves"]).json()
    ranks = [c["severity"] != "urgent" for c in everything]
    assert ranks == sorted(ranks)  # urgent first
    r = client.get("/api/escalations", headers=staff["lead.wolves"], params={"status": "bogus"})
    assert r.status_code == 422


def test_worker_leaves_a_contact_with_consent(client, staff):
    reply = worker_says(client, council="wolverhampton")
    sid = reply["session_id"]
    r = client.post("/api/contact", json={"session_id": sid, "contact": "07700 900456"})
    assert r.status_code == 422  # consent is required
    r = client.post(
        "/api/contact", json={"session_id": sid, "contact": "07700 900456", "consent": False}
    )
    assert r.status_code == 422 and "07700" not in r.text
    r = client.post(
        "/api/contact", json={"session_id": sid, "contact": "07700 900456", "consent": True}
    )
    assert r.status_code == 204
    r = client.post(
        "/api/contact",
        json={"session_id": "no-such-session", "contact": "07700 900456", "consent": True},
    )
    assert r.status_code == 404
    case = newest_case(client, staff["lead.wolves"])
    detail = client.get(f"/api/escalations/{case['id']}", headers=staff["lead.wolves"]).json()
    [contact] = detail["contacts"]
    assert (contact["kind"], contact["value"]) == ("phone", "07700900456")
    assert any(e["action"] == "contact_added" and e["actor"] == "worker" for e in detail["events"])


def test_staff_pages_show_and_act_on_a_case(sg_components, staff):
    app = create_app(sg_components.settings, components=sg_components)
    with TestClient(app) as c:
        worker_says(c, council="wolverhampton")
        csrf = page_login(c, "esc.lead.wolves")
        page = c.get("/staff/cases")
        assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "<script>" not in page.text  # no inline scripts
        case_id = newest_case(c, staff["lead.wolves"], status="new")["id"]
        assert f'data-case-id="{case_id}"' in page.text
        partial = c.get("/staff/cases", params={"partial": 1})
        assert 'id="case-list"' in partial.text and "<html" not in partial.text
        # a form post without the CSRF token is refused, with it the case moves on
        r = c.post(f"/staff/cases/{case_id}/acknowledge", follow_redirects=False)
        assert r.status_code == 403
        r = c.post(
            f"/staff/cases/{case_id}/acknowledge", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert r.status_code == 303
        r = c.post(
            f"/staff/cases/{case_id}/close", data={"csrf_token": csrf, "outcome": ""},
        )
        assert r.status_code == 422 and "outcome is empty" in r.text
        detail = c.get(f"/staff/cases/{case_id}")
        assert 'id="case-status">acknowledged' in detail.text
        # other councils' leads cannot open it
        page_login(c, "esc.lead.cov")
        assert c.get(f"/staff/cases/{case_id}").status_code == 404
