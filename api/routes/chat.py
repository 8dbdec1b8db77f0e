from __future__ import annotations

from fastapi import APIRouter

from api.deps import AssistantDep
from api.schemas import ChatReply, ChatRequest, CitationOut, ErrorOut, LocalAuthorityOut
from assistant.languages import LOCAL_AUTHORITIES
from assistant.models import IncomingMessage

router = APIRouter(prefix="/api", tags=["chat"])


@router.post(
    "/chat",
    response_model=ChatReply,
    responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
def chat(body: ChatRequest, assistant: AssistantDep) -> ChatReply:
    """Answer one message. Sync: the pipeline is CPU-bound and runs in the threadpool."""
    reply = assistant.respond(
        IncomingMessage(
            text=body.message,
            session_id=body.session_id,
            language=body.language,
            local_authority=body.local_authority,
            message_id=body.message_id,
        )
    )
    return ChatReply(
        session_id=reply.session_id,
        reply=reply.reply,
        reply_english=reply.reply_english,
        language=reply.language,
        citations=[CitationOut(title=c.title, url=c.url) for c in reply.citations],
        categories=reply.categories,
        escalated=reply.escalated,
        severity=reply.severity.value,
    )


@router.get("/local-authorities", response_model=list[LocalAuthorityOut])
def local_authorities() -> list[LocalAuthorityOut]:
    return [LocalAuthorityOut(slug=la.slug, name=la.name) for la in LOCAL_AUTHORITIES]
