from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    components = getattr(state, "components", None)
    if components is None:
        error = getattr(state, "startup_error", None)
        body = {"status": "failed" if error else "starting", "error": error}
        return JSONResponse(status_code=503, content=body)
    return JSONResponse(
        {
            "status": "ready",
            "components": {
                "database": "ok",
                "embedder": components.embedder.id,
                "vector_store": {"documents": components.store.count()},
                "knowledge_base": {"articles": len(components.kb)},
                "redactor": "presidio",
                "composer": type(components.assistant.composer).__name__,
                # a model's state never makes Harbour unready: the extractive answer stands in
                "llm": _model_status(components.assistant.composer),
            },
            "load_seconds": components.load_seconds,
        }
    )


def _model_status(composer) -> dict:
    status = getattr(composer, "model_status", None)
    return status() if callable(status) else {"state": "not_configured"}
