"""Rate limits per session and per client address, shared by every API worker.

The `limits` library does the window arithmetic; `SqlLimitsStorage` keeps its counters in the
service's own database (SQLite or PostgreSQL), so several workers, or several machines behind a
load balancer, count together without another server. One atomic upsert per hit.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import HarbourError
from assistant.storage.models import RateLimitCounter

_INCR = text(
    "INSERT INTO rate_limits (bucket, count, expires_at) VALUES (:k, :amount, :now + :expiry) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "count = CASE WHEN rate_limits.expires_at <= :now THEN :amount "
    "ELSE rate_limits.count + :amount END, "
    "expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :now + :expiry "
    "ELSE rate_limits.expires_at END "
    "RETURNING count"
)


class RateLimited(HarbourError):
    code = "rate_limited"
    status = 429


class SqlLimitsStorage(Storage):
    """A `limits` storage on a SQLAlchemy database (fixed windows: incr/get/get_expiry)."""

    STORAGE_SCHEME = ["harbour+sql"]  # noqa: RUF012  (the library declares it a list)

    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__()
        self._sessions = sessions
        self._clock = clock

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self._sessions.begin() as s:
            now = self._clock()
            return int(
                s.execute(
                    _INCR, {"k": key, "amount": amount, "now": now, "expiry": expiry}
                ).scalar_one()
            )

    def _row(self, key: str) -> RateLimitCounter | None:
        with self._sessions() as s:
            row = s.get(RateLimitCounter, key)
        if row is None or row.expires_at <= self._clock():
            return None
        return row

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else self._clock()

    def check(self) -> bool:
        try:
            with self._sessions() as s:
                s.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._sessions.begin() as s:
            return s.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with self._sessions.begin() as s:
            s.execute(delete(RateLimitCounter).where(RateLimitCounter.bucket == key))

    def purge_expired(self) -> int:
        """Delete windows that have ended (run by the retention job)."""
        with self._sessions.begin() as s:
            return s.execute(
                delete(RateLimitCounter).where(RateLimitCounter.expires_at <= self._clock())
            ).rowcount


def _limit(spec: str) -> RateLimitItem | None:
    return parse(spec) if spec.strip() else None


@dataclass(frozen=True)
class Rule:
    name: str  # "session" | "address"
    item: RateLimitItem


class MessageRateLimiter:
    """Counts chat messages per session and per client address, and CV reviews per address.

    Identifiers are HMAC-hashed with a service secret before they reach storage: the table
    never holds a session token (a bearer secret) or an IP address.
    """

    def __init__(
        self,
        storage: Storage,
        secret: bytes,
        *,
        per_session: str = "15/minute",
        per_address: str = "15/minute",
        cv_per_address: str = "5/minute",
    ) -> None:
        self.storage = storage
        self._limiter = FixedWindowRateLimiter(storage)
        self._secret = secret
        self._per_session = _limit(per_session)
        self._per_address = _limit(per_address)
        self._cv_per_address = _limit(cv_per_address)

    def _id(self, kind: str, value: str) -> str:
        return hmac.new(self._secret, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def _hit(self, rules: list[tuple[str, RateLimitItem, str]]) -> None:
        for scope, item, ident in rules:
            if not self._limiter.hit(item, scope, ident):
                reset = self._limiter.get_window_stats(item, scope, ident).reset_time
                retry = max(1, math.ceil(reset - time.time()))
                raise RateLimited(
                    "Too many messages. Please wait a minute and try again.",
                    retry_after_s=retry,
                    limit=str(item),
                    scope=scope,
                )

    def message(self, session_token: str | None, address: str) -> None:
        """Count one chat message; raises RateLimited past either limit."""
        rules = []
        if self._per_session is not None and session_token:
            rules.append(("session", self._per_session, self._id("s", session_token)))
        if self._per_address is not None:
            rules.append(("address", self._per_address, self._id("a", address)))
        self._hit(rules)

    def cv_review(self, address: str) -> None:
        if self._cv_per_address is not None:
            self._hit([("cv-address", self._cv_per_address, self._id("a", address))])
