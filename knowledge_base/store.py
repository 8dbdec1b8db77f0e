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


def check_embedder(recorded: str | None, wanted: str) -> None:
    if recorded and recorded != wanted:
        raise EmbedderMismatch(
            f"the vector collection was built with {recorded!r} but the configured embedder is "
            f"{wanted!r}; re-run `harbour ingest --rebuild` or configure the matching embedder",
            recorded=recorded,
            wanted=wanted,
        )


class InMemoryVectorStore:
    """Exact cosine search over numpy arrays; for tests and tiny deployments."""

    def __init__(self, embedder_id: str, recorded_embedder_id: str | None = None) -> None:
        check_embedder(recorded_embedder_id, embedder_id)
        self.embedder_id = embedder_id
        self._docs: dict[str, IndexDocument] = {}
        self._vectors: dict[str, np.ndarray] = {}

    def upsert(self, docs: Sequence[IndexDocument], vectors: np.ndarray) -> None:
        for doc, vec in zip(docs, vectors, strict=True):
            self._docs[doc.id] = doc
            self._vectors[doc.id] = np.asarray(vec, dtype=np.float32)

    def delete(self, ids: Sequence[str]) -> None:
        for i in ids:
            self._docs.pop(i, None)
            self._vectors.pop(i, None)

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
            )
            for j in order
        ]

    def count(self) -> int:
        return len(self._docs)
