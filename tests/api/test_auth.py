"""Staff sign-in: tokens, the session cookie with CSRF, roles, throttling and the CLI."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.auth import SESSION_COOKIE, AdminDep, LeadDep, ProgrammeDep, issue_token
from assistant.container import Components
from assistant.messages import Messages
from assistant.settings import Settings
from assistant.staff import StaffDirectory
from assistant.storage.database import init_db, make_engine, session_factory
from tests.auth_helpers import PASSWORD, bearer, create_staff, page_login


def light_components(settings: Settings) -> Components:
    """Only what sign-in needs: no models are loaded."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    return Components(
        None, None, None, None, Messages(), staff=StaffDirectory(session_factory(engine))
    )  # type: ignore[arg-type]


@pytest.fixture
def app_and_components(tmp_path):
    settings = Settings(data_dir=tmp_path, environment="test")
    components = light_components(settings)
    app = create_app(settings, components=components)
    probe = APIRouter(prefix="/api/probe")

    @probe.get("/lead")
    def lead(user: LeadDep):
        return {"user": user.username, "councils": list(user.councils)}

    @probe.get("/programme")
    def programme(user: ProgrammeDep):
        return {"user": user.username}

    @probe.post("/admin")
    def admin(user: AdminDep):
        return {"user": user.username}

    app.include_router(probe)
    return app, components


@pytest.fixture
def client(app_and_components):
    with TestClient(app_and_components[0]) as c:
        yield c


@pytest.fixture
def components(app_and_components):
    return app_and_components[1]


def test_token_and_roles(client, components):
    create_staff(components, "lead.bham", "safeguarding_lead", ["birmingham"])
    create_staff(components, "prog", "programme")
    create_staff(components, "root", "admin")
    lead = bearer(client, "lead.bham")
    r = client.get("/api/probe/lead", headers=lead)
    assert r.json() == {"user": "lead.bham", "councils": ["birmingham"]}
    assert client.get("/api/probe/programme", headers=lead).status_code == 403
    assert client.get("/api/probe/programme", headers=bearer(client, "root")).status_code == 200
    assert client.get("/api/probe/programme", headers=bearer(client, "prog")).status_code == 200
    r = client.post("/api/probe/admin", headers=bearer(client, "prog"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    # bearer calls need no CSRF token
    assert client.post("/api/probe/admin", headers=bearer(client, "root")).status_code == 200


def test_no_or_bad_credentials_get_401(client, components, app_and_components):
    create_staff(components, "lead", "safeguarding_lead", ["regional"])
    r = client.get("/api/probe/lead")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert (
        client.get("/api/probe/lead", headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )
    r = client.post("/api/auth/token", data={"username": "lead", "password": "wrong password!"})
    assert r.status_code == 401 and "access_token" not in r.text
    # a token signed with another key is refused
    other = Settings(environment="test", auth={"secret_key": "another-secret-key-0123"})
    user = components.staff.get(1)
    forged, _ = issue_token(other, user, "access")
    assert (
        client.get("/api/probe/lead", headers={"Authorization": f"Bearer {forged}"}).status_code
        == 401
    )
    # a session token is not a bearer token
    settings = app_and_components[0].state.settings
    session, _ = issue_token(settings, user, "session")
    assert (
        client.get("/api/probe/lead", headers={"Authorization": f"Bearer {session}"}).status_code
        == 401
    )


def test_disabling_a_user_revokes_their_token_at_once(client, components):
    create_staff(components, "leaver", "safeguarding_lead", ["coventry"])
    headers = bearer(client, "leaver")
    assert client.get("/api/probe/lead", headers=headers).status_code == 200
    components.staff.disable("leaver")
    assert client.get("/api/probe/lead", headers=headers).status_code == 401
    r = client.post("/api/auth/token", data={"username": "leaver", "password": PASSWORD})
    assert r.status_code == 401


def test_login_is_throttled(client, components):
    create_staff(components, "target", "admin")
    for _ in range(5):
        r = client.post("/api/auth/token", data={"username": "target", "password": "guess-guess-1"})
        assert r.status_code == 401
    r = client.post("/api/auth/token", data={"username": "target", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_cookie_session_needs_csrf_for_unsafe_requests(client, components):
    create_staff(components, "root", "admin")
    csrf = page_login(client, "root")
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie
    assert client.get("/staff").status_code == 200
    # cookie + POST without the token: refused; with it: allowed
    r = client.post("/api/probe/admin")
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert client.post("/api/probe/admin", headers={"X-CSRF-Token": "x" * 43}).status_code == 403
    assert client.post("/api/probe/admin", headers={"X-CSRF-Token": csrf}).status_code == 200
    r = client.post("/staff/logout", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/staff/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login"
    assert not client.cookies.get(SESSION_COOKIE)
    r = client.get("/staff", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/login")


def test_session_cookie_flags_and_login_form_csrf(client, components):
    create_staff(components, "lead", "safeguarding_lead", ["dudley"])
    page = client.get("/staff/login")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    # a login form post without the login CSRF cookie's token is refused
    r = client.post(
        "/staff/login",
        data={"username": "lead", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and SESSION_COOKIE not in r.headers.get("set-cookie", "")
    csrf = client.cookies.get("harbour_login_csrf")
    r = client.post(
        "/staff/login",
        data={
            "username": "lead",
            "password": PASSWORD,
            "csrf_token": csrf,
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff/cases"
    set_cookie = r.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie


def test_cookie_is_secure_in_production(tmp_path):
    settings = Settings(
        data_dir=tmp_path, environment="production", auth={"secret_key": "a-real-secret-0123456789"}
    )
    components = light_components(settings)
    create_staff(components, "lead", "safeguarding_lead", ["dudley"])
    with TestClient(
        create_app(settings, components=components), base_url="https://testserver"
    ) as c:
        c.get("/staff/login")
        r = c.post(
            "/staff/login",
            data={
                "username": "lead",
                "password": PASSWORD,
                "csrf_token": c.cookies.get("harbour_login_csrf"),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()


def test_cli_users_create_list_disable(tmp_path, monkeypatch):
    from assistant.cli import app as cli

    monkeypatch.setenv("HARBOUR_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    r = runner.invoke(
        cli,
        [
            "users",
            "create",
            "amira",
            "--role",
            "safeguarding_lead",
            "--council",
            "walsall",
            "--council",
            "sandwell",
        ],
        input=PASSWORD + "\n",
    )
    assert r.exit_code == 0, r.output
    assert "walsall, sandwell" in r.output
    r = runner.invoke(cli, ["users", "create", "x", "--role", "programme"], input="short\n")
    assert r.exit_code == 2 and "12 characters" in r.output
    r = runner.invoke(
        cli, ["users", "create", "y", "--role", "safeguarding_lead"], input=PASSWORD + "\n"
    )
    assert r.exit_code == 2 and "council" in r.output
    r = runner.invoke(
        cli,
        ["users", "create", "z", "--role", "safeguarding_lead", "--council", "narnia"],
        input=PASSWORD + "\n",
    )
    assert r.exit_code == 2
    r = runner.invoke(cli, ["users", "list"])
    assert "amira\tsafeguarding_lead\twalsall,sandwell\tactive" in r.output
    assert "$argon2" not in r.output
    assert runner.invoke(cli, ["users", "disable", "amira"]).exit_code == 0
    assert (
        "amira\tsafeguarding_lead\twalsall,sandwell\tdisabled"
        in runner.invoke(cli, ["users", "list"]).output
    )
    # the stored hash is argon2, never the password
    db = b"".join(p.read_bytes() for p in tmp_path.glob("harbour.db*"))  # with the WAL
    assert PASSWORD.encode() not in db and b"$argon2id$" in db
