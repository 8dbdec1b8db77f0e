"""The safeguarding case workflow: routing, response targets, state changes, notes, audit.

new → acknowledged (a lead takes it) → referred (one or more referrals) → closed (an outcome).
A case may also close straight from acknowledged. State changes are conditional UPDATEs, so two
leads acting at once cannot both win; every action appends a `case_events` row (append-only).
Leads see only their councils' cases (a `regional` lead sees all, including the regional queue
of cases whose council is unknown); a case outside a lead's scope is "not found".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import HarbourError, InvalidInput
from assistant.languages import LOCAL_AUTHORITIES
from assistant.safeguarding.contacts import ContactCipher, normalise_contact
from assistant.staff import LEAD, REGIONAL, StaffUser
from assistant.storage import models as m

log = logging.getLogger(__name__)

NEW, ACKNOWLEDGED, REFERRED, CLOSED = "new", "acknowledged", "referred", "closed"
STATUSES = (NEW, ACKNOWLEDGED, REFERRED, CLOSED)
OPEN = "open"  # filter: anything not closed
REFERRAL_TARGETS: dict[str, str] = {
    "police": "Police (999 if in immediate danger, otherwise 101)",
    "nrm_first_responder": "National Referral Mechanism first responder",
    "council_adult_safeguarding": "Council adult safeguarding",
    "council_children_safeguarding": "Council children's safeguarding",
    "modern_slavery_helpline": "Modern Slavery & Exploitation Helpline (08000 121 700)",
    "other": "Other (say who in the note)",
}
COUNCIL_NAMES = {la.slug: la.name for la in LOCAL_AUTHORITIES} | {REGIONAL: "Regional queue"}
MAX_TEXT = 4000
LONDON = ZoneInfo("Europe/London")
# England and Wales bank holidays (GOV.UK); a high case's "1 working day" skips these and weekends.
_BANK_HOLIDAYS_TEXT = """
2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26
2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28
2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28
"""
BANK_HOLIDAYS = frozenset(dt.date.fromisoformat(d) for d in _BANK_HOLIDAYS_TEXT.split())


class CaseNotFound(HarbourError):
    code = "case_not_found"
    status = 404


class InvalidTransition(HarbourError):
    code = "invalid_transition"
    status = 409


class NoOpenCase(HarbourError):
    code = "no_open_case"
    status = 404


def acknowledge_by(created_at: dt.datetime, severity: str) -> dt.datetime:
    """The response target: urgent within 1 hour; high within 1 working day (naive UTC)."""
    if severity == "urgent":
        return created_at + dt.timedelta(hours=1)
    local = created_at.replace(tzinfo=dt.UTC).astimezone(LONDON)
    day = local.date() + dt.timedelta(days=1)
    while day.weekday() >= 5 or day in BANK_HOLIDAYS:
        day += dt.timedelta(days=1)
    due = dt.datetime.combine(day, local.time(), tzinfo=LONDON)
    return due.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class CaseSummary:
    id: int
    severity: str
    status: str
    local_authority: str
    indicators: tuple[str, ...]
    method: str
    language: str | None
    created_at: dt.datetime
    acknowledge_by: dt.datetime
    overdue: bool

    @property
    def council_name(self) -> str:
        return COUNCIL_NAMES.get(self.local_authority, self.local_authority)


@dataclass(frozen=True)
class CaseMessage:
    role: str
    text: str  # redacted when stored
    language: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class CaseEventView:
    actor: str
    action: str
    detail: dict
    text: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ContactView:
    kind: str
    value: str | None  # None once erased
    consented_at: dt.datetime
    erase_after: dt.datetime | None


@dataclass(frozen=True)
class CaseDetail:
    case: CaseSummary
    messages: list[CaseMessage]
    events: list[CaseEventView]
    contacts: list[ContactView] = field(default_factory=list)

    @property
    def acknowledged_at(self) -> dt.datetime | None:
        return next((e.created_at for e in self.events if e.action == ACKNOWLEDGED), None)


def _text(value: str | None, what: str, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"The {what} is empty.")
        return None
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"The {what} is too long: the limit is {MAX_TEXT} characters.")
    return value


class CaseService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        cipher: ContactCipher,
        contact_retention_days: int = 30,
        clock=m.utcnow,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self.contact_retention = dt.timedelta(days=contact_retention_days)
        self._clock = clock

    # --- reading ------------------------------------------------------------------------

    def _scope(self, user: StaffUser, stmt):
        if user.role != LEAD:
            return stmt.where(False)  # programme and admin never see case content
        if user.regional:
            return stmt
        return stmt.where(m.EscalationCase.local_authority.in_(user.councils))

    def _summary(self, row: m.EscalationCase, now: dt.datetime) -> CaseSummary:
        due = acknowledge_by(row.created_at, row.severity)
        return CaseSummary(
            id=row.id,
            severity=row.severity,
            status=row.status,
            local_authority=row.local_authority,
            indicators=tuple(row.indicators or ()),
            method=row.method,
            language=row.language,
            created_at=row.created_at,
            acknowledge_by=due,
            overdue=row.status == NEW and now > due,
        )

    def list(
        self,
        user: StaffUser,
        status: str | None = None,
        severity: str | None = None,
        local_authority: str | None = None,
        limit: int = 200,
    ) -> list[CaseSummary]:
        """Newest urgent first: urgent before high, newest first within each."""
        c = m.EscalationCase
        stmt = self._scope(user, select(c))
        if status == OPEN:
            stmt = stmt.where(c.status != CLOSED)
        elif status:
            stmt = stmt.where(c.status == status)
        if severity:
            stmt = stmt.where(c.severity == severity)
        if local_authority:
            stmt = stmt.where(c.local_authority == local_authority)
        stmt = stmt.order_by((c.severity != "urgent"), c.created_at.desc(), c.id.desc())
        now = self._clock()
        with self._sessions() as s:
            return [self._summary(r, now) for r in s.scalars(stmt.limit(limit)).all()]

    def _visible(self, s: Session, user: StaffUser, case_id: int) -> m.EscalationCase:
        row = s.scalar(
            self._scope(user, select(m.EscalationCase)).where(m.EscalationCase.id == case_id)
        )
        if row is None:
            raise CaseNotFound("No such case, or it is not in your councils.")
        return row

    def get(self, user: StaffUser, case_id: int) -> CaseDetail:
        now = self._clock()
        with self._sessions.begin() as s:
            row = self._visible(s, user, case_id)
            summary = self._summary(row, now)
            messages = [
                CaseMessage(r.role, r.text, r.language, r.created_at)
                for r in s.scalars(
                    select(m.Message)
                    .where(m.Message.conversation_id == row.conversation_id)
                    .order_by(m.Message.id)
                ).all()
            ]
            self._record_view(s, user, case_id, now)
            events = [
                CaseEventView(e.actor, e.action, dict(e.detail or {}), e.text, e.created_at)
                for e in s.scalars(
                    select(m.CaseEvent)
                    .where(m.CaseEvent.case_id == case_id)
                    .order_by(m.CaseEvent.id)
                ).all()
            ]
            contacts = [
                ContactView(
                    c.kind,
                    self._cipher.decrypt(c.ciphertext) if c.ciphertext is not None else None,
                    c.consented_at,
                    c.erase_after,
                )
                for c in s.scalars(
                    select(m.CaseContact)
                    .where(m.CaseContact.case_id == case_id)
                    .order_by(m.CaseContact.id)
                ).all()
            ]
        return CaseDetail(summary, messages, events, contacts)

    def _record_view(self, s: Session, user: StaffUser, case_id: int, now: dt.datetime) -> None:
        """Who looked at a case is part of its record (at most once per lead per 30 minutes)."""
        recent = s.scalar(
            select(m.CaseEvent.id).where(
                m.CaseEvent.case_id == case_id,
                m.CaseEvent.actor == user.username,
                m.CaseEvent.action == "viewed",
                m.CaseEvent.created_at > now - dt.timedelta(minutes=30),
            )
        )
        if recent is None:
            s.add(
                m.CaseEvent(case_id=case_id, actor=user.username, action="viewed", created_at=now)
            )

    # --- acting -------------------------------------------------------------------------

    def _transition(
        self,
        user: StaffUser,
        case_id: int,
        allowed_from: tuple[str, ...],
        to: str,
        detail: dict,
        text: str | None,
    ) -> None:
        with self._sessions.begin() as s:
            row = self._visible(s, user, case_id)
            result = s.execute(
                update(m.EscalationCase)
                .where(m.EscalationCase.id == case_id, m.EscalationCase.status.in_(allowed_from))
                .values(status=to)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise InvalidTransition(
                    f"A {row.status} case cannot be {to}.", current=row.status, to=to
                )
            now = self._clock()
            s.add(
                m.CaseEvent(
                    case_id=case_id,
                    actor=user.username,
                    action=to,
                    detail={"from": row.status, **detail},
                    text=text,
                    created_at=now,
                )
            )
            if to == CLOSED:
                s.execute(
                    update(m.CaseContact)
                    .where(m.CaseContact.case_id == case_id, m.CaseContact.erased_at.is_(None))
                    .values(erase_after=now + self.contact_retention)
                )
        log.info("case %s %s by %s", case_id, to, user.username)

    def acknowledge(self, user: StaffUser, case_id: int, note: str | None = None) -> None:
        self._transition(user, case_id, (NEW,), ACKNOWLEDGED, {}, _text(note, "note", False))

    def refer(self, user: StaffUser, case_id: int, to: str, note: str | None = None) -> None:
        if to not in REFERRAL_TARGETS:
            raise InvalidInput(f"Unknown referral {to!r}.", valid=list(REFERRAL_TARGETS))
        text = _text(note, "note", required=to == "other")
        self._transition(user, case_id, (ACKNOWLEDGED, REFERRED), REFERRED, {"to": to}, text)

    def close(self, user: StaffUser, case_id: int, outcome: str) -> None:
        text = _text(outcome, "outcome")
        self._transition(user, case_id, (ACKNOWLEDGED, REFERRED), CLOSED, {}, text)

    def add_note(self, user: StaffUser, case_id: int, text: str) -> None:
        body = _text(text, "note")
        with self._sessions.begin() as s:
            self._visible(s, user, case_id)
            s.add(
                m.CaseEvent(
                    case_id=case_id,
                    actor=user.username,
                    action="note",
                    text=body,
                    created_at=self._clock(),
                )
            )

    # --- the worker's consented contact details -----------------------------------------

    def attach_contact(self, session_token: str, value: str, consent: bool) -> int:
        """Store a phone number or email for the conversation's latest open case; its id."""
        if consent is not True:
            raise InvalidInput("Contact details are kept only with your explicit consent.")
        kind, normalised = normalise_contact(value)
        conversation_id = hashlib.sha256(session_token.encode()).hexdigest()
        with self._sessions.begin() as s:
            case_id = s.scalar(
                select(m.EscalationCase.id)
                .where(
                    m.EscalationCase.conversation_id == conversation_id,
                    m.EscalationCase.status != CLOSED,
                )
                .order_by(m.EscalationCase.id.desc())
                .limit(1)
            )
            if case_id is None:
                raise NoOpenCase("There is no open safeguarding case for this conversation.")
            s.add(
                m.CaseContact(
                    case_id=case_id,
                    kind=kind,
                    ciphertext=self._cipher.encrypt(normalised),
                    consented_at=self._clock(),
                )
            )
            s.add(
                m.CaseEvent(
                    case_id=case_id,
                    actor="worker",
                    action="contact_added",
                    detail={"kind": kind},
                    created_at=self._clock(),
                )
            )
        return case_id

    def erase_expired_contacts(self) -> int:
        """Erase contact details whose case closed more than the retention period ago."""
        now = self._clock()
        with self._sessions.begin() as s:
            rows = s.scalars(
                select(m.CaseContact).where(
                    m.CaseContact.erase_after.is_not(None),
                    m.CaseContact.erase_after <= now,
                    m.CaseContact.erased_at.is_(None),
                )
            ).all()
            for row in rows:
                row.ciphertext = None
                row.erased_at = now
                s.add(
                    m.CaseEvent(
                        case_id=row.case_id,
                        actor="system",
                        action="contact_erased",
                        detail={"kind": row.kind},
                        created_at=now,
                    )
                )
        if rows:
            log.info("erased %d contact detail(s) past retention", len(rows))
        return len(rows)
