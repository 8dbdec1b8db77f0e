"""Ingestion: load → validate → chunk → embed → upsert, incrementally.

Only documents whose article changed are re-embedded; documents of removed articles (or removed
parts) are deleted. Running it twice in a row changes nothing. Every document's hubness (see
knowledge_base.store.hubness_scores) depends on all the others, so it is recomputed from the
stored vectors on every run (one matrix product, no embedding; an index built before hubness
existed gets it on its next run).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ingestion.chunking import chunk_article
from knowledge_base.embeddings import Embedder
from knowledge_base.schema import Article
from knowledge_base.store import IndexDocument, VectorStore, hubness_scores

BATCH = 16


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)  # article ids
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    documents_embedded: int = 0
    documents_deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        lines = [
            f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
            f"unchanged {self.unchanged} articles; "
            f"{self.documents_embedded} documents embedded, {self.documents_deleted} deleted"
        ]
        for label, ids in (("+", self.added), ("~", self.updated), ("-", self.removed)):
            lines += [f"  {label} {i}" for i in ids]
        return "\n".join(lines)


def ingest(
    articles: Sequence[Article],
    store: VectorStore,
    embedder: Embedder,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Bring the store in line with `articles`. `progress(n)` is called as documents embed."""
    report = IngestReport()
    existing = store.hashes()
    existing_articles: dict[str, set[str]] = {}
    for doc_id in existing:
        existing_articles.setdefault(doc_id.split("#", 1)[0], set()).add(doc_id)

    to_embed: list[IndexDocument] = []
    stale_ids: list[str] = []
    for article in articles:
        docs = chunk_article(article)
        wanted = {d.id for d in docs}
        have = existing_articles.pop(article.id, set())
        if have and all(existing.get(d.id) == d.content_hash for d in docs) and have == wanted:
            report.unchanged += 1
            continue
        (report.updated if have else report.added).append(article.id)
        to_embed.extend(docs)
        stale_ids.extend(have - wanted)
    for article_id, ids in sorted(existing_articles.items()):
        report.removed.append(article_id)
        stale_ids.extend(ids)

    if on_total:
        on_total(len(to_embed))
    for start in range(0, len(to_embed), BATCH):
        batch = to_embed[start : start + BATCH]
        store.upsert(batch, embedder.embed_passages([d.text for d in batch]))
        report.documents_embedded += len(batch)
        if progress:
            progress(len(batch))
    if stale_ids:
        store.delete(stale_ids)
        report.documents_deleted = len(stale_ids)
    store.set_hubness(hubness_scores(*store.vectors()))  # same values when nothing changed
    return report
