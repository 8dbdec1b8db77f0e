"""The safeguarding case API for leads, and the worker's consented "contact me" request."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.auth import LeadDep
from api.deps import CaseId, ComponentsDep
from api.schemas import (
    AcknowledgeRequest,
    CaseEventOut,
    CloseRequest,
    ContactOut,
    ContactRequest,
    ErrorOut,
    EscalationDetail,
    EscalationMessageOut,
    EscalationPublic,
    NoteRequest,
    ReferRequest,
)
from assistant.safeguarding.cases import CaseDetail, CaseService, CaseSummary

router = APIRouter(prefix="/api/escalations", tags=["escalations"])
public = APIRouter(prefix="/api", tags=["chat"])
ERRORS = {
    401: {"model": ErrorOut},
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


def get_cases(components: ComponentsDep) -> CaseService:
    return components.cases


CasesDep = Annotated[CaseService, Depends(get_cases)]


def summary_out(c: CaseSummary) -> EscalationPublic:
    return EscalationPublic(
        id=c.id,
        severity=c.severity,
        status=c.status,
        local_authority=c.local_authority,
        indicators=list(c.indicators),
        method=c.method,
        language=c.language,
        created_at=c.created_at,
        acknowledge_by=c.acknowledge_by,
        overdue=c.overdue,
    )


def detail_out(d: CaseDetail) -> EscalationDetail:
    return EscalationDetail(
        **summary_out(d.case).model_dump(),
        acknowledged_at=d.acknowledged_at,
        messages=[EscalationMessageOut(**vars(msg)) for msg in d.messages],
        events=[CaseEventOut(**vars(e)) for e in d.events],
        contacts=[ContactOut(**vars(c)) for c in d.contacts],
    )


@router.get("", response_model=list[EscalationPublic], responses=ERRORS)
def list_escalations(
    user: LeadDep,
    cases: CasesDep,
    status: Annotated[
        Literal["open", "new", "acknowledged", "referred", "closed"] | None, Query()
    ] = None,
    severity: Annotated[Literal["high", "urgent"] | None, Query()] = None,
    local_authority: Annotated[str | None, Query(max_length=40)] = None,
) -> list[EscalationPublic]:
    """Cases in the lead's councils, newest urgent first (`status=open`: all but closed)."""
    return [summary_out(c) for c in cases.list(user, status, severity, local_authority)]


@router.get("/{case_id}", response_model=EscalationDetail, responses=ERRORS)
def get_escalation(case_id: CaseId, user: LeadDep, cases: CasesDep) -> EscalationDetail:
    """The case, its verdict and indicators, the conversation (redacted) and its audit trail."""
    return detail_out(cases.get(user, case_id))


@router.post("/{case_id}/acknowledge", response_model=EscalationDetail, responses=ERRORS)
def acknowledge(
    case_id: CaseId, user: LeadDep, cases: CasesDep, body: AcknowledgeRequest | None = None
) -> EscalationDetail:
    cases.acknowledge(user, case_id, body.note if body else None)
    return detail_out(cases.get(user, case_id))


@router.post("/{case_id}/refer", response_model=EscalationDetail, responses=ERRORS)
def refer(case_id: CaseId, body: ReferRequest, user: LeadDep, cases: CasesDep) -> EscalationDetail:
    cases.refer(user, case_id, body.to, body.note)
    return detail_out(cases.get(user, case_id))


@router.post("/{case_id}/close", response_model=EscalationDetail, responses=ERRORS)
def close(case_id: CaseId, body: CloseRequest, user: LeadDep, cases: CasesDep) -> EscalationDetail:
    cases.close(user, case_id, body.outcome)
    return detail_out(cases.get(user, case_id))


@router.post("/{case_id}/notes", response_model=EscalationDetail, responses=ERRORS)
def add_note(
    case_id: CaseId, body: NoteRequest, user: LeadDep, cases: CasesDep
) -> EscalationDetail:
    cases.add_note(user, case_id, body.text)
    return detail_out(cases.get(user, case_id))


@public.post(
    "/contact",
    status_code=204,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def leave_contact(body: ContactRequest, cases: CasesDep) -> Response:
    """The worker, with explicit consent, leaves a phone number or email for the safeguarding
    lead on their conversation's open case. Stored encrypted; erased after the case closes."""
    cases.attach_contact(body.session_id, body.contact, body.consent)
    return Response(status_code=204)
