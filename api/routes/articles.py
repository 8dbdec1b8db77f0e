"""A guide article as JSON: what citations point at, for other tools (the page is /guide/{id})."""

from __future__ import annotations

from fastapi import APIRouter, Query

from api.deps import ComponentsDep
from api.schemas import ArticleOut, ArticleTranslationOut, ErrorOut
from assistant.errors import HarbourError, UnsupportedLanguageCode
from assistant.languages import SUPPORTED_LANGUAGES

router = APIRouter(prefix="/api", tags=["articles"])


class ArticleNotFound(HarbourError):
    code = "article_not_found"
    status = 404


@router.get(
    "/articles/{article_id}",
    response_model=ArticleOut,
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}, 503: {"model": ErrorOut}},
)
def get_article(
    article_id: str,
    components: ComponentsDep,
    lang: str | None = Query(default=None, description="ISO 639-1 code of the translation."),
) -> ArticleOut:
    """One curated article in English, with its translation in `lang` when there is one."""
    if lang is not None and lang not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguageCode(
            "This language is not supported.", valid=list(SUPPORTED_LANGUAGES)
        )
    article = components.kb.get(article_id)
    if article is None:
        raise ArticleNotFound("There is no guide article with this id.", id=article_id[:100])
    local = article.localised(lang) if lang and lang != "en" else None
    return ArticleOut(
        id=article.id,
        url=article.url,
        title=article.title,
        topic=article.topic,
        summary=article.summary,
        key_points=article.key_points,
        questions=article.questions,
        body=article.body,
        source_urls=[str(u) for u in article.source_urls],
        last_reviewed=article.last_reviewed,
        review_by=article.review_by,
        local_authority=article.local_authority,
        translation=ArticleTranslationOut(
            language=lang, title=local.title, key_points=local.key_points, questions=local.questions
        )
        if local is not None and lang is not None
        else None,
    )
