"""Notifications for new urgent and high cases, through an outbox that survives failures.

The dispatcher finds cases that have no outbox row yet for a channel and adds one (so a crash
right after a case is committed still notifies), then sends what is due. A failed send is retried
with exponential backoff, for ever: a mail server that is down delays a notification, it never
loses it. Delivery is at least once (a crash between sending and marking sent resends).
Notifications carry no message text: the case id, severity, council, indicators and a link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.safeguarding.cases import COUNCIL_NAMES, acknowledge_by
from assistant.storage import models as m

log = logging.getLogger(__name__)
NOTIFY_SEVERITIES = ("urgent", "high")


@dataclass(frozen=True)
class CaseNotice:
    case_id: int
    severity: str
    local_authority: str
    indicators: tuple[str, ...]
    created_at: dt.datetime
    acknowledge_by: dt.datetime
    url: str

    @property
    def council_name(self) -> str:
        return COUNCIL_NAMES.get(self.local_authority, self.local_authority)


class Notifier(Protocol):
    """One way of telling safeguarding leads about a new case. `send` raises on failure."""

    channel: str

    def wants(self, notice: CaseNotice) -> bool:
        """Whether this case has anyone to tell on this channel."""
        ...

    def send(self, notice: CaseNotice) -> None: ...


class SmtpNotifier:
    channel = "email"

    def __init__(
        self,
        host: str,
        port: int,
        mail_from: str,
        regional_to: list[str],
        council_to: dict[str, list[str]],
        starttls: bool = True,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.host, self.port = host, port
        self.mail_from = mail_from
        self.regional_to = list(regional_to)
        self.council_to = {k: list(v) for k, v in council_to.items()}
        self.starttls = starttls
        self.username, self.password = username, password
        self.timeout_s = timeout_s

    def recipients(self, local_authority: str) -> list[str]:
        return list(dict.fromkeys(self.council_to.get(local_authority, []) + self.regional_to))

    def wants(self, notice: CaseNotice) -> bool:
        return bool(self.recipients(notice.local_authority))

    def send(self, notice: CaseNotice) -> None:
        msg = EmailMessage()
        msg["From"] = self.mail_from
        msg["To"] = ", ".join(self.recipients(notice.local_authority))
        msg["Subject"] = (
            f"[Harbour] {notice.severity.upper()} safeguarding case #{notice.case_id} "
            f"({notice.council_name})"
        )
        msg["X-Harbour-Case"] = str(notice.case_id)
        msg.set_content(
            f"A new {notice.severity} safeguarding case needs a lead.\n\n"
            f"Case: #{notice.case_id}\n"
            f"Council: {notice.council_name}\n"
            f"Indicators: {', '.join(notice.indicators) or '-'}\n"
            f"Opened: {notice.created_at:%Y-%m-%d %H:%M} UTC\n"
            f"Acknowledge by: {notice.acknowledge_by:%Y-%m-%d %H:%M} UTC\n\n"
            f"Open it (sign-in needed): {notice.url}\n\n"
            "This email holds no message content; read the case in Harbour.\n"
        )
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(msg)


class WebhookNotifier:
    channel = "webhook"

    def __init__(self, url: str, secret: str | None = None, timeout_s: float = 10.0) -> None:
        self.url = url
        self.secret = secret
        self.timeout_s = timeout_s

    def wants(self, notice: CaseNotice) -> bool:
        return True

    def send(self, notice: CaseNotice) -> None:
        body = json.dumps(
            {
                "event": "safeguarding_case.opened",
                "case_id": notice.case_id,
                "severity": notice.severity,
                "local_authority": notice.local_authority,
                "indicators": list(notice.indicators),
                "created_at": notice.created_at.isoformat() + "Z",
                "acknowledge_by": notice.acknowledge_by.isoformat() + "Z",
                "url": notice.url,
            }
        ).encode()
        headers = {"Content-Type": "application/json"}
        if self.secret:
            sig = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Harbour-Signature"] = f"sha256={sig}"
        r = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout_s)
        r.raise_for_status()


class OutboxDispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        notifiers: list[Notifier],
        base_url: str = "http://localhost:8000",
        retry_base_s: float = 30.0,
        retry_max_s: float = 900.0,
        max_case_age_h: float = 24.0,
        claim_s: float = 120.0,
        clock: Callable[[], dt.datetime] = m.utcnow,
    ) -> None:
        self._sessions = sessions
        self.notifiers = {n.channel: n for n in notifiers}
        self.base_url = base_url.rstrip("/")
        self.retry_base_s, self.retry_max_s = retry_base_s, retry_max_s
        self.max_case_age = dt.timedelta(hours=max_case_age_h)
        self.claim = dt.timedelta(seconds=claim_s)
        self._clock = clock

    def _notice(self, case: m.EscalationCase) -> CaseNotice:
        return CaseNotice(
            case.id,
            case.severity,
            case.local_authority,
            tuple(case.indicators or ()),
            case.created_at,
            acknowledge_by(case.created_at, case.severity),
            f"{self.base_url}/staff/cases/{case.id}",
        )

    def enqueue_new_cases(self) -> int:
        """Add outbox rows for recent urgent/high cases that have none yet, per channel."""
        added = 0
        cutoff = self._clock() - self.max_case_age
        for channel, notifier in self.notifiers.items():
            with self._sessions() as s:
                cases = s.scalars(
                    select(m.EscalationCase).where(
                        m.EscalationCase.severity.in_(NOTIFY_SEVERITIES),
                        m.EscalationCase.created_at >= cutoff,
                        m.EscalationCase.id.not_in(
                            select(m.NotificationOutbox.case_id).where(
                                m.NotificationOutbox.channel == channel
                            )
                        ),
                    )
                ).all()
            for case in cases:
                if not notifier.wants(self._notice(case)):
                    continue
                try:
                    with self._sessions.begin() as s:
                        now = self._clock()
                        s.add(
                            m.NotificationOutbox(
                                case_id=case.id,
                                channel=channel,
                                next_attempt_at=now,
                                created_at=now,
                            )
                        )
                    added += 1
                except IntegrityError:
                    pass  # another worker queued it first
        return added

    def run_pending(self, limit: int = 50) -> int:
        """Send what is due; returns how many were sent."""
        now = self._clock()
        ob = m.NotificationOutbox
        with self._sessions() as s:
            due = s.scalars(
                select(ob.id)
                .where(
                    ob.status == "pending",
                    ob.next_attempt_at <= now,
                    or_(ob.claimed_until.is_(None), ob.claimed_until < now),
                    ob.channel.in_(list(self.notifiers)),
                )
                .order_by(ob.next_attempt_at, ob.id)
                .limit(limit)
            ).all()
        sent = 0
        for row_id in due:
            sent += self._deliver(row_id)
        return sent

    def _deliver(self, row_id: int) -> int:
        ob = m.NotificationOutbox
        now = self._clock()
        with self._sessions.begin() as s:
            claimed = s.execute(
                update(ob)
                .where(
                    ob.id == row_id,
                    ob.status == "pending",
                    or_(ob.claimed_until.is_(None), ob.claimed_until < now),
                )
                .values(claimed_until=now + self.claim)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                return 0  # another worker has it
            row = s.get(ob, row_id)
            notice = self._notice(s.get(m.EscalationCase, row.case_id))
            channel, attempts = row.channel, row.attempts
        try:
            self.notifiers[channel].send(notice)
        except (OSError, smtplib.SMTPException, httpx.HTTPError) as exc:
            delay = min(self.retry_base_s * 2**attempts, self.retry_max_s)
            with self._sessions.begin() as s:
                s.execute(
                    update(ob)
                    .where(ob.id == row_id)
                    .values(
                        attempts=attempts + 1,
                        next_attempt_at=self._clock() + dt.timedelta(seconds=delay),
                        claimed_until=None,
                        last_error=f"{type(exc).__name__}: {exc}"[:300],
                    )
                )
            log.warning(
                "notification %s for case %s failed (attempt %d), retry in %.0fs: %s",
                channel,
                notice.case_id,
                attempts + 1,
                delay,
                type(exc).__name__,
            )
            return 0
        with self._sessions.begin() as s:
            s.execute(
                update(ob)
                .where(ob.id == row_id)
                .values(
                    status="sent",
                    attempts=attempts + 1,
                    sent_at=self._clock(),
                    claimed_until=None,
                    last_error=None,
                )
            )
        log.info("notification %s sent for case %s", channel, notice.case_id)
        return 1

    def pending(self) -> list[m.NotificationOutbox]:
        with self._sessions() as s:
            return list(
                s.scalars(
                    select(m.NotificationOutbox).where(m.NotificationOutbox.status == "pending")
                )
            )


class SafeguardingWorker:
    """A background thread: queue and send notifications, erase contact details past retention.

    `start`/`stop` are counted, so several apps sharing one set of components can use it.
    """

    def __init__(
        self,
        outbox: OutboxDispatcher,
        erase_expired: Callable[[], int],
        poll_interval_s: float = 2.0,
        erase_every_s: float = 300.0,
    ) -> None:
        self.outbox = outbox
        self.erase_expired = erase_expired
        self.poll_interval_s = poll_interval_s
        self.erase_every_s = erase_every_s
        self._lock = threading.Lock()
        self._users = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> None:
        if self.outbox.notifiers:
            self.outbox.enqueue_new_cases()
            self.outbox.run_pending()

    def _run(self) -> None:
        since_erase = self.erase_every_s  # erase on the first tick
        while not self._stop.is_set():
            try:
                self.tick()
                if since_erase >= self.erase_every_s:
                    self.erase_expired()
                    since_erase = 0.0
            except Exception:  # keep the worker alive; the next tick retries
                log.exception("safeguarding worker tick failed")
            self._stop.wait(self.poll_interval_s)
            since_erase += self.poll_interval_s

    def start(self) -> None:
        with self._lock:
            self._users += 1
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._run, name="harbour-safeguarding", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users or self._thread is None:
                return
            self._stop.set()
            thread, self._thread = self._thread, None
        thread.join(timeout=10)
