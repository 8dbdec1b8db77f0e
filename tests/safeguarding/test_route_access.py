"""Deny by default: every route of the app is on the public allowlist below, or refuses
anonymous and wrong-role callers.

The routes are enumerated from the app itself, so routes added later (analytics, CV review,
anything) are checked without touching this file; a new *public* route must be added to
PUBLIC on purpose. A guarded route declares its roles with `api.auth.require_roles` (the
`LeadDep`/`ProgrammeDep`/`AdminDep`/`StaffDep` aliases), which this test reads.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from api.app import create_app
from assistant.settings import Settings
from assistant.staff import ROLES
from tests.auth_helpers import bearer, create_staff, page_login

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/"),  # the worker's chat page
    ("POST", "/"),  # its no-JavaScript form post
    ("GET", "/guide/{article_id}"),
    ("POST", "/api/chat"),
    ("POST", "/api/chat/stream"),
    ("GET", "/api/articles/{article_id}"),
    ("POST", "/api/cv/review"),  # CV review for workers
    ("GET", "/cv"),
    ("DELETE", "/api/sessions/{session_id}"),  # a worker erases their own conversation
    ("POST", "/forget"),
    ("GET", "/api/local-authorities"),
    ("POST", "/api/contact"),  # a worker leaves a contact for their own case (session secret)
    ("POST", "/api/auth/token"),
    ("GET", "/staff/login"),
    ("POST", "/staff/login"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}
PUBLIC_MOUNTS = {"/static"}
USERS = {"safeguarding_lead": "acl.lead", "programme": "acl.programme", "admin": "acl.admin"}


def required_roles(ctx) -> frozenset[str] | None:
    """The roles from every require_roles dependency of the route (None: unguarded)."""
    if not isinstance(ctx.original_route, APIRoute):
        return None
    found: list[frozenset[str]] = []
    stack = [ctx.dependant]  # the effective one: includes the including routers' dependencies
    while stack:
        dep = stack.pop()
        roles = getattr(dep.call, "harbour_roles", None)
        if roles is not None:
            found.append(roles)
        stack.extend(dep.dependencies)
    return frozenset.intersection(*found) if found else None


def enumerate_routes(app):
    """Every (method, path, roles), through included routers."""
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, Mount):
            yield "MOUNT", ctx.path, None
        elif isinstance(route, Route | APIRoute):
            for method in sorted((ctx.methods or set()) - {"HEAD"}):
                yield method, ctx.path, required_roles(ctx)
        else:  # websockets or anything else we do not know how to check
            yield "UNKNOWN", str(ctx.path or route), None


ROUTES = list(enumerate_routes(create_app(Settings(environment="test"))))
GUARDED = [(m, p, r) for m, p, r in ROUTES if (m, p) not in PUBLIC and m != "MOUNT"]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def call(client, method, path, **kwargs):
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return client.request(method, concrete(path), follow_redirects=False, **body, **kwargs)


def refused_anonymously(r) -> bool:
    if r.status_code == 401:
        return True
    return r.status_code == 303 and r.headers["location"].startswith("/staff/login")


@pytest.fixture(scope="module")
def client(sg_components):
    for role, name in USERS.items():
        create_staff(sg_components, name, role, ["regional"] if role == "safeguarding_lead" else ())
    app = create_app(sg_components.settings, components=sg_components)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def tokens(client):
    return {role: bearer(client, name) for role, name in USERS.items()}


def test_the_app_has_staff_routes_to_check():
    paths = {p for _, p, _ in GUARDED}
    assert {"/api/escalations", "/api/escalations/{case_id}", "/staff/cases"} <= paths
    assert ("MOUNT", "/static", None) in ROUTES


def test_every_mount_is_public_on_purpose():
    for method, path, _ in ROUTES:
        if method == "MOUNT":
            assert path in PUBLIC_MOUNTS, f"unexpected mounted app at {path}"
        assert method != "UNKNOWN", f"route of an unknown kind at {path}"


def test_allowlist_has_no_stale_entries():
    live = {(m, p) for m, p, _ in ROUTES}
    assert live >= PUBLIC, f"allowlisted but gone: {sorted(PUBLIC - live)}"


@pytest.mark.parametrize(("method", "path", "roles"), GUARDED, ids=lambda v: str(v))
def test_route_is_guarded(method, path, roles):
    assert roles, f"{method} {path} is neither public nor guarded by require_roles"


@pytest.mark.parametrize(("method", "path", "roles"), GUARDED, ids=lambda v: str(v))
def test_anonymous_and_wrong_role_are_refused(client, tokens, method, path, roles):
    r = call(client, method, path)
    assert refused_anonymously(r), f"anonymous {method} {path} → {r.status_code}"
    r = call(client, method, path, headers={"Authorization": "Bearer not-a-token"})
    assert refused_anonymously(r), f"bad token {method} {path} → {r.status_code}"
    for role in ROLES:
        r = call(client, method, path, headers=tokens[role])
        if roles and role in roles:
            assert r.status_code not in (401, 403), f"{role} refused at {method} {path}"
            assert r.status_code < 500, f"{role} at {method} {path} → {r.status_code}"
        else:
            assert r.status_code == 403, f"{role} at {method} {path} → {r.status_code}"


@pytest.mark.parametrize(
    ("method", "path", "roles"),
    [g for g in GUARDED if g[0] not in ("GET", "OPTIONS")],
    ids=lambda v: str(v),
)
def test_cookie_sessions_need_the_csrf_token(sg_components, method, path, roles):
    role = sorted(roles or ROLES)[0]
    app = create_app(sg_components.settings, components=sg_components)
    with TestClient(app) as c:
        page_login(c, USERS[role])
        r = call(c, method, path)
        assert r.status_code == 403, f"cookie without CSRF token: {method} {path} → {r.status_code}"
