"""Turn one article into the documents that get embedded.

Per article: an English "card" (title, summary, key points), the English body split at its
headings, the English example questions, and one card per translation (title, key points,
questions) — so a question in any supported language lands on the right English article.
"""

from __future__ import annotations

import re

from knowledge_base.schema import Article
from knowledge_base.store import IndexDocument

_HEADING = re.compile(r"^#{1,3} ", re.MULTILINE)
MAX_CHARS = 800  # e5-small reads 512 tokens; shorter chunks embed faster and stay on one point


def _split_body(body: str) -> list[str]:
    parts = [p.strip() for p in _HEADING.split(body) if p.strip()]
    chunks: list[str] = []
    for part in parts:
        while len(part) > MAX_CHARS:
            cut = part.rfind(". ", 0, MAX_CHARS)
            cut = cut + 1 if cut > 200 else MAX_CHARS
            chunks.append(part[:cut].strip())
            part = part[cut:].strip()
        if part:
            chunks.append(part)
    return chunks


def chunk_article(article: Article) -> list[IndexDocument]:
    h = article.content_hash()

    def doc(part: str, language: str, text: str) -> IndexDocument:
        return IndexDocument(
            id=f"{article.id}#{part}",
            article_id=article.id,
            language=language,
            text=text,
            content_hash=h,
            local_authority=article.local_authority,
        )

    docs = [
        doc("en-card", "en", "\n".join([article.title, article.summary, *article.key_points])),
    ]
    if article.questions:
        docs.append(doc("en-questions", "en", "\n".join([article.title, *article.questions])))
    for i, chunk in enumerate(_split_body(article.body)):
        docs.append(doc(f"en-body-{i}", "en", f"{article.title}\n{chunk}"))
    for lang, tr in sorted(article.translations.items()):
        docs.append(doc(f"{lang}-card", lang, "\n".join([tr.title, *tr.key_points])))
        if tr.questions:
            docs.append(doc(f"{lang}-questions", lang, "\n".join([tr.title, *tr.questions])))
    return docs
