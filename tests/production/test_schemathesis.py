"""Schemathesis against the OpenAPI schema, as each role: no request makes a 500.

Every operation in /openapi.json gets generated requests (valid by the schema, and deliberately
invalid ones) from an anonymous caller and with a bearer token for each staff role, against the
production assembly (real pipeline, SQLite, Chroma on disk). Bounded: ten examples per
operation, role and mode (valid/invalid): about 800 requests, 35 s once the models are loaded.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from api.app import create_app
from tests.auth_helpers import bearer, create_staff

EXAMPLES = 10  # per operation, role and mode
ROLES = {
    "anonymous": None,
    "safeguarding_lead": ("st.lead", ["regional"]),
    "programme": ("st.prog", []),
    "admin": ("st.admin", []),
}


@pytest.fixture(scope="module")
def app(real_components):
    return create_app(real_components.settings, components=real_components)


@pytest.fixture(scope="module")
def tokens(app, real_components):
    out: dict[str, dict[str, str]] = {}
    with TestClient(app) as c:
        for role, spec in ROLES.items():
            if spec is None:
                out[role] = {}
                continue
            create_staff(real_components, spec[0], role, spec[1])
            out[role] = bearer(c, spec[0])
    return out


def guarded_operations(app) -> set[tuple[str, str]]:
    """(METHOD, path) of the routes guarded by `require_roles` (api/auth.py), found the way
    tests/safeguarding/test_route_access.py finds them."""
    guarded = set()
    for ctx in iter_route_contexts(app.routes):
        if not isinstance(ctx.original_route, APIRoute):
            continue
        stack = [ctx.dependant]
        while stack:
            dep = stack.pop()
            if getattr(dep.call, "harbour_roles", None) is not None:
                guarded.update((m, ctx.path) for m in ctx.methods or ())
                break
            stack.extend(dep.dependencies)
    return guarded


@pytest.mark.slow
@pytest.mark.parametrize("role", list(ROLES))
def test_no_operation_answers_500(app, tokens, role):
    """Anonymous: every operation. A staff role: the operations its token matters to."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = tokens[role]
    failures: list[str] = []
    calls = 0
    started = time.monotonic()
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 10
    if role != "anonymous":
        guarded = guarded_operations(app)
        assert guarded, "no guarded operations found: has require_roles changed?"
        operations = [o for o in operations if (o.method.upper(), o.path) in guarded]
    with TestClient(app):  # lifespan: background workers as when serving
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                def run(case):
                    nonlocal calls
                    calls += 1
                    response = case.call(headers=headers)
                    if response.status_code >= 500 and response.status_code != 503:
                        failures.append(
                            f"{case.method} {case.formatted_path} → {response.status_code}"
                        )

                try:
                    run()
                except Unsatisfiable:  # nothing invalid to send (no parameters)
                    continue
    elapsed = time.monotonic() - started
    print(
        f"schemathesis {role}: {calls} requests over {len(operations)} operations in {elapsed:.0f} s"
    )
    assert not failures, "\n".join(sorted(set(failures))[:20])
