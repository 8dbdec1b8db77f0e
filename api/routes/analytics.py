"""Programme analytics: what people need by council, language and week — never who.

Role `programme` or `admin`. Every number has passed small-number suppression
(`assistant/analytics/suppression.py`); suppressed cells are the string "<5".
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.auth import ProgrammeDep, csrf_token
from api.deps import ComponentsDep
from api.routes.staff import secured
from assistant.analytics.queries import (
    CATEGORY_NAMES,
    COUNCILS,
    LANGUAGES,
    AnalyticsQueries,
    Filters,
    InvalidAnalyticsFilter,
    summary_csv,
)
from assistant.errors import NotReady
from assistant.topics import CATEGORIES

router = APIRouter(tags=["analytics"])
templates = Jinja2Templates(
    directory=str(Path(__file__).resolve().parents[2] / "web" / "templates")
)


def _queries(components: ComponentsDep) -> AnalyticsQueries:
    if components.analytics is None:
        raise NotReady("Analytics are not available yet.")
    return components.analytics


def _filters(
    from_: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    to: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    local_authority: Annotated[str | None, Query(description="Council slug or 'unknown'")] = None,
    language: Annotated[str | None, Query(description="Language code, 'other', 'unknown'")] = None,
    category: Annotated[str | None, Query(description="One of the 12 topic categories")] = None,
) -> Filters:
    return Filters.parse(from_, to, local_authority, language, category)


QueriesDep = Annotated[AnalyticsQueries, Depends(_queries)]
FiltersDep = Annotated[Filters, Depends(_filters)]


@router.get("/api/analytics/summary")
def summary(_: ProgrammeDep, queries: QueriesDep, filters: FiltersDep) -> dict[str, Any]:
    """Weekly activity, topics, councils, languages, escalations by severity and gaps.

    Dates widen to whole ISO weeks. Numbers are 0, at least 5, or "<5".
    """
    return queries.summary(filters)


@router.get("/api/analytics/export.csv", response_class=Response)
def export_csv(_: ProgrammeDep, queries: QueriesDep, filters: FiltersDep) -> Response:
    """The summary as CSV, with the same filters and suppression."""
    name = f"harbour-analytics-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return Response(
        summary_csv(queries.summary(filters)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/analytics", response_class=HTMLResponse, include_in_schema=False)
def analytics_page(
    request: Request,
    user: ProgrammeDep,
    queries: QueriesDep,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    local_authority: str | None = None,
    language: str | None = None,
    category: str | None = None,
) -> Response:
    """The dashboard: server-rendered tables; web/static/analytics.js draws the charts."""
    error = None
    try:
        filters = Filters.parse(from_, to, local_authority, language, category)
    except InvalidAnalyticsFilter as exc:
        error = exc.message
        filters = Filters.parse()
    data = queries.summary(filters)
    query = urlencode({k: v for k, v in filters.as_dict().items() if v})
    context = {
        "user": user,
        "csrf": csrf_token(request),
        "data": data,
        "error": error,
        "councils": COUNCILS,
        "languages": LANGUAGES,
        "categories": [(c, CATEGORY_NAMES[c]) for c in CATEGORIES],
        "export_url": f"/api/analytics/export.csv?{query}",
    }
    return secured(
        templates.TemplateResponse(
            request, "analytics.html", context, status_code=422 if error else 200
        )
    )
