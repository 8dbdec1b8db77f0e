"""Server-rendered pages for workers: the chat page and the guide articles citations link to.

The chat works without JavaScript (a form post); `web/static/chat.js` enhances it with fetch.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import markdown_it
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from api.deps import ComponentsDep
from assistant.composition import StreamingComposer
from assistant.errors import HarbourError, NotReady
from assistant.languages import LOCAL_AUTHORITIES, RTL_LANGUAGES, SUPPORTED_LANGUAGES
from assistant.models import IncomingMessage

WEB = Path(__file__).resolve().parents[2] / "web"
templates = Jinja2Templates(directory=str(WEB / "templates"))
router = APIRouter(include_in_schema=False)
_md = markdown_it.MarkdownIt("commonmark", {"html": False}).enable("table")
_GUIDE_LINK = re.compile(r"\]\(guide:([a-z0-9-]+)\)")
_NUMBER_GROUPS = re.compile(r"\+?\d+(?:[ \u00a0]\d+)+")


def _ltr_numbers(text: str) -> Markup:
    """Escape `text`, keeping "0300 790 6268" in order inside right-to-left (Urdu) text.

    The bidi algorithm lays out space-separated digit groups right to left in RTL text
    ("6268 790 0300"); <bdi dir="ltr"> isolates each number.
    """
    parts, last = [], 0
    for m in _NUMBER_GROUPS.finditer(text):
        parts += [escape(text[last : m.start()]), Markup('<bdi dir="ltr">%s</bdi>') % m.group()]
        last = m.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


templates.env.filters["ltr_numbers"] = _ltr_numbers
# A reply's direction follows the reply's language, which may differ from the page's.
templates.env.globals["rtl_languages"] = sorted(RTL_LANGUAGES)


def _render_text(self, tokens, idx, options, env) -> str:
    """Markdown text gets the same escaping, so numbers in article bodies stay whole too."""
    return str(_ltr_numbers(tokens[idx].content))


_md.add_render_rule("text", _render_text)


def _source_link(url: str) -> dict[str, str]:
    """A source as the page shows it: the site, then the rest of the address."""
    u = urlsplit(url)
    rest = u.path.rstrip("/") + (f"?{u.query}" if u.query else "")
    return {"url": url, "host": u.netloc.removeprefix("www."), "path": rest}


def _ui_language(request: Request, lang: str | None) -> str:
    if lang in SUPPORTED_LANGUAGES:
        return lang  # type: ignore[return-value]
    accept = request.headers.get("accept-language", "")
    for part in accept.split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in SUPPORTED_LANGUAGES:
            return code
    return "en"


def _context(request: Request, components, lang: str, **extra):
    messages = components.messages
    return {
        "request": request,
        "lang": lang,
        "dir": "rtl" if lang in RTL_LANGUAGES else "ltr",
        "t": messages.catalog(lang),
        "t_en": messages.catalog("en"),
        "languages": [
            (c, messages.catalog(c).get("language_name", n)) for c, n in SUPPORTED_LANGUAGES.items()
        ],
        "councils": LOCAL_AUTHORITIES,
        # chat.js streams answers (POST /api/chat/stream) when the composer can
        "streaming": isinstance(components.assistant.composer, StreamingComposer),
        **extra,
    }


@router.get("/", response_class=HTMLResponse)
def chat_page(
    request: Request, components: ComponentsDep, lang: str | None = None, council: str | None = None
):
    lang = _ui_language(request, lang)
    return templates.TemplateResponse(
        request, "chat.html", _context(request, components, lang, council=council, turns=[])
    )


@router.post("/", response_class=HTMLResponse)
def chat_form(
    request: Request,
    components: ComponentsDep,
    message: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "en",
    council: Annotated[str, Form()] = "",
    session_id: Annotated[str, Form()] = "",
):
    """No-JavaScript fallback: post the form, get the page back with the answer."""
    lang = _ui_language(request, lang)
    turns, error = [], None
    try:
        reply = components.assistant.respond(
            IncomingMessage(message, session_id or None, lang, council or None)
        )
        turns = [{"question": message, "reply": reply}]
        session_id = reply.session_id
    except NotReady:
        raise
    except HarbourError as exc:
        error = exc.message
    return templates.TemplateResponse(
        request,
        "chat.html",
        _context(
            request,
            components,
            lang,
            council=council,
            turns=turns,
            error=error,
            session_id=session_id,
        ),
        status_code=422 if error else 200,
    )


@router.get("/guide/{article_id}", response_class=HTMLResponse)
def guide_page(
    request: Request, article_id: str, components: ComponentsDep, lang: str | None = None
):
    lang = _ui_language(request, lang)
    article = components.kb.get(article_id)
    if article is None:
        return templates.TemplateResponse(
            request, "not_found.html", _context(request, components, lang), status_code=404
        )
    return templates.TemplateResponse(
        request,
        "guide.html",
        _context(
            request,
            components,
            lang,
            article=article,
            local=article.localised(lang),
            body_html=_md.render(_GUIDE_LINK.sub(r"](/guide/\1?lang=" + lang + ")", article.body)),
            sources=[_source_link(str(u)) for u in article.source_urls],
        ),
    )
