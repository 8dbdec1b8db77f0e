"""CV review: `POST /api/cv/review` and the `/cv` page.

The upload is parsed as a stream, in memory (never a temporary file: nothing of the CV is
stored), and refused with 413 as soon as it passes the limit: from the Content-Length header
before any of the body is read, or part-way through a body sent without one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from api.deps import ComponentsDep
from api.routes.pages import _ui_language, templates
from api.schemas import CvFindingOut, CvReviewOut, CvSectionOut, ErrorOut
from assistant.cv_review.checks import TARGET_ROLES
from assistant.cv_review.review import CvReviewer, CvUpload
from assistant.errors import InvalidInput, NotReady
from assistant.languages import LOCAL_AUTHORITIES, RTL_LANGUAGES, SUPPORTED_LANGUAGES

router = APIRouter(prefix="/api/cv", tags=["cv"])
pages = APIRouter(include_in_schema=False)

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the small fields
MAX_FIELD_BYTES = 200
FIELDS = ("language", "target_role", "local_authority")


def get_cv_reviewer(components: ComponentsDep) -> CvReviewer:
    reviewer = getattr(components, "cv_reviewer", None)
    if reviewer is None:
        raise NotReady("CV review is not available yet; please try again in a few seconds.")
    return reviewer


CvReviewerDep = Annotated[CvReviewer, Depends(get_cv_reviewer)]


class _StreamingForm:
    """python-multipart callbacks that keep the file in memory, up to a limit."""

    def __init__(self, max_file_bytes: int) -> None:
        self.max_file_bytes = max_file_bytes
        self.fields: dict[str, str] = {}
        self.file: bytearray | None = None
        self.filename: str | None = None
        self.content_type: str | None = None
        self.too_large = False
        self._name = ""
        self._target: bytearray | None = None
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""

    def on_part_begin(self) -> None:
        self._headers, self._target, self._name = {}, None, ""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("latin-1")
        if self._name == "file" and self.file is None:
            self.file = bytearray()
            self._target = self.file
            raw = options.get(b"filename")
            self.filename = raw.decode("utf-8", "replace")[:200] if raw else None
            ctype = self._headers.get(b"content-type")
            self.content_type = ctype.decode("latin-1")[:100] if ctype else None
        elif self._name in FIELDS:
            self._target = bytearray()
        # other parts are read past and dropped

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._target is None:
            return
        self._target += data[start:end]
        if self._target is self.file:
            if len(self.file) > self.max_file_bytes:
                self.too_large = True
        elif len(self._target) > MAX_FIELD_BYTES:
            self._target = None  # an oversized field is ignored (then validated as missing)

    def on_part_end(self) -> None:
        if self._target is not None and self._target is not self.file and self._name in FIELDS:
            self.fields[self._name] = self._target.decode("utf-8", "replace").strip()
        self._target = None


def _error_language(request: Request, form: _StreamingForm | None = None) -> str:
    for code in (
        form.fields.get("language") if form else None,
        request.query_params.get("language"),
    ):
        if code in SUPPORTED_LANGUAGES:
            return code  # type: ignore[return-value]
    return _ui_language(request, None)


async def read_upload(request: Request, reviewer: CvReviewer) -> _StreamingForm:
    """Streams the multipart body; raises CvTooLarge (413) as soon as it is over the limit."""
    import python_multipart
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import parse_options_header

    limit = reviewer.limits.max_bytes
    messages = reviewer.messages
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise messages.rejection("too_large", _error_language(request), limit_bytes=limit)
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise InvalidInput("Send the CV as multipart/form-data with a `file` field.", field="file")
    form = _StreamingForm(limit)
    parser = python_multipart.MultipartParser(
        boundary,
        {
            "on_part_begin": form.on_part_begin,
            "on_part_data": form.on_part_data,
            "on_part_end": form.on_part_end,
            "on_header_field": form.on_header_field,
            "on_header_value": form.on_header_value,
            "on_header_end": form.on_header_end,
            "on_headers_finished": form.on_headers_finished,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + MULTIPART_OVERHEAD:
                form.too_large = True
            else:
                parser.write(chunk)
            if form.too_large:
                form.file = None  # drop what was read
                raise messages.rejection(
                    "too_large", _error_language(request, form), limit_bytes=limit
                )
        parser.finalize()
    except FormParserError as exc:
        raise InvalidInput("The upload is not valid multipart data.", field="file") from exc
    if form.file is None:
        raise InvalidInput(
            messages.get(_error_language(request, form), "ui.choose_file"), field="file"
        )
    return form


@router.post(
    "/review",
    response_model=CvReviewOut,
    responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "language": {"type": "string", "enum": list(SUPPORTED_LANGUAGES)},
                            "target_role": {"type": "string", "enum": list(TARGET_ROLES)},
                            "local_authority": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
async def review_cv(request: Request, reviewer: CvReviewerDep) -> CvReviewOut:
    """Review a CV (PDF, DOCX or text, ≤ 5 MB) for UK care jobs. Nothing of it is stored."""
    form = await read_upload(request, reviewer)
    upload = CvUpload(
        data=bytes(form.file or b""),
        filename=form.filename,
        content_type=form.content_type,
        language=form.fields.get("language") or None,
        target_role=form.fields.get("target_role") or None,
        local_authority=form.fields.get("local_authority") or None,
    )
    form.file = None
    report = await run_in_threadpool(reviewer.review, upload)  # CPU-bound: parse, redact, check
    return CvReviewOut(
        language=report.language,
        score=report.score,
        sections=[CvSectionOut(name=s.name, score=s.score) for s in report.sections],
        findings=[
            CvFindingOut(
                severity=f.severity, section=f.section, message=f.message, suggestion=f.suggestion
            )
            for f in report.findings
        ],
        hidden_text_found=report.hidden_text_found,
    )


@pages.get("/cv", response_class=HTMLResponse)
def cv_page(
    request: Request,
    components: ComponentsDep,
    lang: str | None = None,
    council: str | None = None,
):
    lang = _ui_language(request, lang)
    reviewer = get_cv_reviewer(components)
    messages = components.messages
    return templates.TemplateResponse(
        request,
        "cv.html",
        {
            "request": request,
            "lang": lang,
            "dir": "rtl" if lang in RTL_LANGUAGES else "ltr",
            "t": messages.catalog(lang),
            "languages": [
                (c, messages.catalog(c).get("language_name", n))
                for c, n in SUPPORTED_LANGUAGES.items()
            ],
            "councils": LOCAL_AUTHORITIES,
            "council": council,
            "cv": reviewer.messages.ui(lang),
            "roles": TARGET_ROLES,
            "max_bytes": reviewer.limits.max_bytes,
        },
    )
