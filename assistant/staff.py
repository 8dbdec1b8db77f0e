"""Staff accounts: safeguarding leads, programme staff and admins. Passwords hashed with argon2."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import InvalidInput
from assistant.languages import LOCAL_AUTHORITY_SLUGS
from assistant.storage import models as m

log = logging.getLogger(__name__)

LEAD, PROGRAMME, ADMIN = "safeguarding_lead", "programme", "admin"
ROLES = (LEAD, PROGRAMME, ADMIN)
REGIONAL = "regional"  # a lead scoped to the whole region (and the queue of unknown councils)
MIN_PASSWORD_CHARS = 12


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: str
    councils: tuple[str, ...] = ()

    @property
    def regional(self) -> bool:
        return REGIONAL in self.councils

    def can_see_council(self, slug: str) -> bool:
        return self.role == LEAD and (self.regional or slug in self.councils)


@dataclass(frozen=True)
class StaffRecord:
    user: StaffUser
    active: bool
    created_at: object
    last_login_at: object


class StaffExists(InvalidInput):
    code = "staff_exists"


def _check(username: str, role: str, councils: tuple[str, ...], password: str | None) -> None:
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise InvalidInput("A username is 1–64 letters, digits, dots, dashes or underscores.")
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}.", valid=list(ROLES))
    unknown = [c for c in councils if c not in LOCAL_AUTHORITY_SLUGS and c != REGIONAL]
    if unknown:
        raise InvalidInput(
            f"Unknown council(s): {', '.join(unknown)}.",
            valid=sorted(LOCAL_AUTHORITY_SLUGS | {REGIONAL}),
        )
    if role == LEAD and not councils:
        raise InvalidInput("A safeguarding lead needs at least one council (or 'regional').")
    if role != LEAD and councils:
        raise InvalidInput("Only safeguarding leads are scoped to councils.")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_CHARS} characters.")


class StaffDirectory:
    def __init__(self, sessions: sessionmaker[Session], hasher: PasswordHasher | None = None):
        self._sessions = sessions
        self._hasher = hasher or PasswordHasher()
        # verifying against a dummy hash keeps unknown usernames as slow as wrong passwords
        self._dummy = self._hasher.hash("not-a-real-password")

    def create(
        self, username: str, role: str, password: str, councils: tuple[str, ...] = ()
    ) -> StaffUser:
        councils = tuple(dict.fromkeys(councils))
        _check(username, role, councils, password)
        row = m.StaffUser(
            username=username,
            password_hash=self._hasher.hash(password),
            role=role,
            councils=list(councils),
        )
        try:
            with self._sessions.begin() as s:
                s.add(row)
                s.flush()
                user_id = row.id
        except IntegrityError as exc:
            raise StaffExists(f"A staff user called {username!r} already exists.") from exc
        log.info("staff user %s created with role %s", username, role)
        return StaffUser(user_id, username, role, councils)

    def update(
        self,
        username: str,
        *,
        role: str | None = None,
        councils: tuple[str, ...] | None = None,
        password: str | None = None,
        active: bool | None = None,
    ) -> StaffUser:
        with self._sessions.begin() as s:
            row = s.scalar(select(m.StaffUser).where(m.StaffUser.username == username))
            if row is None:
                raise InvalidInput(f"No staff user called {username!r}.")
            new_role = role or row.role
            new_councils = tuple(councils if councils is not None else row.councils)
            _check(username, new_role, new_councils, password)
            row.role, row.councils = new_role, list(new_councils)
            if password is not None:
                row.password_hash = self._hasher.hash(password)
            if active is not None:
                row.active = active
            return _user(row)

    def disable(self, username: str) -> StaffUser:
        return self.update(username, active=False)

    def authenticate(self, username: str, password: str) -> StaffUser | None:
        """The active user with this password, or None (same cost whether or not they exist)."""
        with self._sessions.begin() as s:
            row = s.scalar(select(m.StaffUser).where(m.StaffUser.username == username))
            try:
                self._hasher.verify(row.password_hash if row else self._dummy, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            if row is None or not row.active:
                return None
            if self._hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self._hasher.hash(password)
            row.last_login_at = m.utcnow()
            return _user(row)

    def get(self, user_id: int) -> StaffUser | None:
        """The user if they exist and are active (disabling takes effect at once)."""
        with self._sessions() as s:
            row = s.get(m.StaffUser, user_id)
            return _user(row) if row is not None and row.active else None

    def list(self) -> list[StaffRecord]:
        with self._sessions() as s:
            rows = s.scalars(select(m.StaffUser).order_by(m.StaffUser.username)).all()
            return [StaffRecord(_user(r), r.active, r.created_at, r.last_login_at) for r in rows]


def _user(row: m.StaffUser) -> StaffUser:
    return StaffUser(row.id, row.username, row.role, tuple(row.councils or ()))
