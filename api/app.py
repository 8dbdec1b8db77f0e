"""The FastAPI application. Models load in a background thread so /readyz can say 503 first."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.auth import install_auth_handlers
from api.errors import install_error_handlers
from api.routes import (
    analytics,
    articles,
    auth,
    chat,
    cv,
    escalations,
    health,
    pages,
    privacy,
    staff,
)
from api.security import (
    ConcurrencyCapMiddleware,
    InputGuardMiddleware,
    SecurityHeadersMiddleware,
)
from assistant.container import Components, build_components
from assistant.settings import Settings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def create_app(settings: Settings | None = None, components: Components | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if components is None:
            threading.Thread(target=_load, args=(app, settings), daemon=True).start()
        else:
            _start_safeguarding_worker(app)
            _start_retention(app)
        yield
        _stop_safeguarding_worker(app)
        _stop_retention(app)

    app = FastAPI(
        title="Harbour",
        description="Multilingual support assistant for displaced international care workers.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.components = components
    app.state.startup_error = None
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(chat.router)
    app.include_router(pages.router)
    app.include_router(articles.router)
    install_auth_handlers(app)
    app.include_router(auth.router)
    app.include_router(staff.router)
    app.include_router(escalations.router)
    app.include_router(escalations.public)
    app.include_router(analytics.router)
    app.include_router(cv.router)
    app.include_router(cv.pages)
    app.include_router(privacy.router)
    app.include_router(privacy.pages)
    privacy.install_access_log_filter()
    # outermost last: headers on every response, the cap before any body is read
    app.add_middleware(InputGuardMiddleware, max_body_bytes=settings.limits.max_body_kb * 1024)
    app.add_middleware(
        ConcurrencyCapMiddleware, max_in_flight=settings.limits.max_concurrent_requests
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.environment == "production")
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


def _load(app: FastAPI, settings: Settings) -> None:
    try:
        app.state.components = build_components(settings)
        log.info("Harbour ready: %s", app.state.components.load_seconds)
        _start_safeguarding_worker(app)
        _start_retention(app)
    except Exception as exc:  # reported on /readyz; the process stays up to say why
        log.exception("Harbour failed to start")
        app.state.startup_error = f"{type(exc).__name__}: {exc}"


def _start_safeguarding_worker(app: FastAPI) -> None:
    """Notifications outbox and contact erasure (assistant/safeguarding/notify.py)."""
    worker = getattr(app.state.components, "safeguarding_worker", None)
    if worker is not None and not getattr(app.state, "safeguarding_worker_started", False):
        worker.start()
        app.state.safeguarding_worker_started = True


def _stop_safeguarding_worker(app: FastAPI) -> None:
    if getattr(app.state, "safeguarding_worker_started", False):
        app.state.components.safeguarding_worker.stop()
        app.state.safeguarding_worker_started = False


def _start_retention(app: FastAPI) -> None:
    """Retention on a timer while serving (assistant/retention.py)."""
    timer = getattr(app.state.components, "retention_timer", None)
    if timer is not None:
        timer.start()


def _stop_retention(app: FastAPI) -> None:
    timer = getattr(app.state.components, "retention_timer", None)
    if timer is not None:
        timer.stop()
