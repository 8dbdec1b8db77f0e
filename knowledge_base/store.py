"""The vector store protocol and an in-memory implementation.

A store holds curated guidance only — never messages or CVs (Chroma keeps deleted text on disk;
see ../shared/SECURITY-NOTES.md). Each store records the embedder that built it and refuses
another, because vectors from different embedders are not comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.errors import EmbedderMismatch


@dataclass(frozen=True)
class IndexDocument:
    id: str  # "<article_id>#<part>", unique
    article_id: str
    language: str
    text: str
    content_hash: str  # the article's hash when this document was built
    local_authority: str | None = None


@dataclass(frozen=True)
class Hit:
    id: str
    article_id: str
    language: str
    score: float  # cosine similarity
    local_authority: str | None = None
    hubness: float = 0.0  # see hubness_scores; 0.0 until ingestion has computed it
    metadata: dict = field(default_factory=dict)


class VectorStore(Protocol):
    """Stores embedded guidance documents and finds the nearest ones to a query vector."""

    embedder_id: str

    def upsert(self, docs: Sequence[IndexDocument], vectors: np.ndarray) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def hashes(self) -> dict[str, str]:
        """Document id → content hash, for incremental ingestion."""
        ...

    def query(self, vector: np.ndarray, k: int) -> list[Hit]: ...

    def count(self) -> int: ...

    def vectors(self) -> tuple[list[str], list[str], np.ndarray]:
        """Every document's id and article id, and its vector (one row each, same order)."""
        ...

    def set_hubness(self, scores: dict[str, float]) -> None:
        """Record each document's hubness (returned on its hits); ids not given keep theirs."""
        ...


def check_embedder(recorded: str | None, wanted: str) -> None:
    if recorded and recorded != wanted:
        raise EmbedderMismatch(
            f"the vector collection was built with {recorded!r} but the configured embedder is "
            f"{wanted!r}; re-run `harbour ingest --rebuild` or configure the matching embedder",
            recorded=recorded,
            wanted=wanted,
        )


def hubness_scores(
    ids: Sequence[str], article_ids: Sequence[str], matrix: np.ndarray, k: int = 10
) -> dict[str, float]:
    """How much each document is a "hub": near everything rather than near its topic.

    hub(d) = mean cosine similarity of d to its k nearest documents of *other* articles (an
    article's own translations are near it by design), centred on the mean over the store so the
    correction `score - alpha * hub` leaves the retriever's min_score meaning roughly what it
    did. CSLS (Conneau et al. 2018, "Word translation without parallel data") in spirit.
    """
    n = len(ids)
    if n == 0:
        return {}
    m = np.asarray(matrix, dtype=np.float32)
    sims = m @ m.T
    arts = np.asarray(article_ids)
    sims[arts[:, None] == arts[None, :]] = -np.inf
    others = (arts[:, None] != arts[None, :]).sum(axis=1)
    kk = int(min(k, others.max())) if n > 1 else 0
    if kk == 0:
        return {i: 0.0 for i in ids}
    top = -np.partition(-sims, kk - 1, axis=1)[:, :kk]
    top[~np.isfinite(top)] = np.nan
    hub = np.nan_to_num(np.nanmean(top, axis=1), nan=0.0) if np.isnan(top).any() else top.mean(1)
    hub = hub - hub.mean()
    return {i: float(h) for i, h in zip(ids, hub, strict=True)}


class InMemoryVectorStore:
    """Exact cosine search over numpy arrays; for tests and tiny deployments."""

    def __init__(self, embedder_id: str, recorded_embedder_id: str | None = None) -> None:
        check_embedder(recorded_embedder_id, embedder_id)
        self.embedder_id = embedder_id
        self._docs: dict[str, IndexDocument] = {}
        self._vectors: dict[str, np.ndarray] = {}
        self._hubness: dict[str, float] = {}

    def upsert(self, docs: Sequence[IndexDocument], vectors: np.ndarray) -> None:
        for doc, vec in zip(docs, vectors, strict=True):
            self._docs[doc.id] = doc
            self._vectors[doc.id] = np.asarray(vec, dtype=np.float32)

    def delete(self, ids: Sequence[str]) -> None:
        for i in ids:
            self._docs.pop(i, None)
            self._vectors.pop(i, None)
            self._hubness.pop(i, None)

    def hashes(self) -> dict[str, str]:
        return {i: d.content_hash for i, d in self._docs.items()}

    def query(self, vector: np.ndarray, k: int) -> list[Hit]:
        if not self._docs:
            return []
        ids = list(self._docs)
        matrix = np.stack([self._vectors[i] for i in ids])
        scores = matrix @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores)[:k]
        return [
            Hit(
                id=ids[j],
                article_id=self._docs[ids[j]].article_id,
                language=self._docs[ids[j]].language,
                score=float(scores[j]),
                local_authority=self._docs[ids[j]].local_authority,
                hubness=self._hubness.get(ids[j], 0.0),
            )
            for j in order
        ]

    def count(self) -> int:
        return len(self._docs)

    def vectors(self) -> tuple[list[str], list[str], np.ndarray]:
        ids = list(self._docs)
        matrix = np.stack([self._vectors[i] for i in ids]) if ids else np.zeros((0, 0))
        return ids, [self._docs[i].article_id for i in ids], matrix

    def set_hubness(self, scores: dict[str, float]) -> None:
        self._hubness.update({i: float(h) for i, h in scores.items() if i in self._docs})
