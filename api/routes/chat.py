from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import AssistantDep
from api.schemas import ChatReply, ChatRequest, CitationOut, ErrorOut, LocalAuthorityOut
from assistant.errors import HarbourError
from assistant.languages import LOCAL_AUTHORITIES
from assistant.models import IncomingMessage, Reply

router = APIRouter(prefix="/api", tags=["chat"])


@router.post(
    "/chat",
    response_model=ChatReply,
    responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
def chat(body: ChatRequest, assistant: AssistantDep) -> ChatReply:
    """Answer one message. Sync: the pipeline is CPU-bound and runs in the threadpool."""
    return _chat_reply(assistant.respond(_incoming(body)))


@router.post(
    "/chat/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Server-sent events: `token` events ({text}) as the answer is "
            "written, then one `final` event with the same fields as POST /api/chat. The final "
            "reply replaces the streamed text: it is the checked answer (or, when the model "
            "failed or its answer did not pass the checks, the extractive one).",
        },
        422: {"model": ErrorOut},
        503: {"model": ErrorOut},
    },
)
def chat_stream(body: ChatRequest, assistant: AssistantDep) -> StreamingResponse:
    """Answer one message as server-sent events. Bad input is answered 422 before any event."""
    events = assistant.respond_stream(_incoming(body))
    return StreamingResponse(
        _sse(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _sse(events: Iterator[str | Reply]) -> Iterator[str]:
    try:
        for item in events:
            if isinstance(item, Reply):
                yield _event("final", _chat_reply(item).model_dump())
            else:
                yield _event("token", {"text": item})
    except HarbourError as exc:  # after the 200 has gone: say so in the stream
        yield _event("error", {"error": {"code": exc.code, "message": exc.message}})


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _incoming(body: ChatRequest) -> IncomingMessage:
    return IncomingMessage(
        text=body.message,
        session_id=body.session_id,
        language=body.language,
        local_authority=body.local_authority,
        message_id=body.message_id,
    )


def _chat_reply(reply: Reply) -> ChatReply:
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
