"""Staff accounts and sign-in for tests: `create_staff(components, ...)`, `bearer(client, ...)`."""

from __future__ import annotations

import re

from assistant.staff import StaffExists, StaffUser

PASSWORD = "correct horse battery staple"


def create_staff(
    components, username: str, role: str, councils=(), password: str = PASSWORD
) -> StaffUser:
    """Create the user, or reset an existing one to this role, councils and password."""
    try:
        return components.staff.create(username, role, password, tuple(councils))
    except StaffExists:
        return components.staff.update(
            username, role=role, councils=tuple(councils), password=password, active=True
        )


def bearer(client, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_login(client, username: str, password: str = PASSWORD) -> str:
    """Sign in through /staff/login (the session cookie stays on `client`); returns the
    session's CSRF token for posting staff forms."""
    client.cookies.clear()  # a fresh sign-in, even if someone is signed in on this client
    page = client.get("/staff/login")
    login_csrf = _CSRF.search(page.text).group(1)
    r = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": login_csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    home = client.get("/staff/login", follow_redirects=True)  # signed in: redirected on
    return _CSRF.search(home.text).group(1)
