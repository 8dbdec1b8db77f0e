"""Map Harbour errors to JSON with a safe message and a stable code."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.errors import HarbourError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, **detail: object) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message, "detail": detail}}
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HarbourError)
    async def _harbour(_: Request, exc: HarbourError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, **exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the input back: it may hold personal data.
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        return error_response(
            422, "invalid_request", "The request is not valid.", problems=problems
        )
