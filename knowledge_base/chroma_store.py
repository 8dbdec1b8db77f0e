"""Chroma, on disk by default or as a server (HARBOUR_VECTOR_STORE__URL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from knowledge_base.store import Hit, IndexDocument, check_embedder

_BATCH = 500
METADATA_TTL_S = 60.0  # how stale a serving process's copy of document metadata may get


class ChromaVectorStore:
    """A Chroma collection with cosine distance; the embedder id lives in its metadata."""

    def __init__(
        self,
        embedder_id: str,
        collection: str = "guidance",
        path: Path | None = None,
        url: str | None = None,
    ) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if url:
            parsed = urlparse(url)
            self._client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        else:
            if path is None:
                raise ValueError("ChromaVectorStore needs a path or a url")
            Path(path).mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        # We always pass vectors ourselves: Chroma's default embedding function downloads a model.
        self._collection = self._client.get_or_create_collection(
            name=collection,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": embedder_id},
        )
        check_embedder((self._collection.metadata or {}).get("embedder"), embedder_id)
        self.embedder_id = embedder_id
        # Document metadata (article, language, hubness), kept in memory for queries: asking
        # Chroma for it with every query doubled the query's time. Reloaded after our own
        # writes, when a hit is missing from it, and every METADATA_TTL_S (another process's
        # `harbour ingest`).
        self._metadata: dict[str, dict] | None = None
        self._metadata_loaded_at = 0.0
        self._metadata_lock = threading.Lock()

    def _invalidate_metadata(self) -> None:
        with self._metadata_lock:
            self._metadata = None

    def _metadata_for(self, ids: Sequence[str]) -> dict[str, dict]:
        with self._metadata_lock:
            meta = self._metadata
            fresh = time.monotonic() - self._metadata_loaded_at < METADATA_TTL_S
            if meta is None or not fresh or any(i not in meta for i in ids):
                meta = self._all_metadata()
                self._metadata, self._metadata_loaded_at = meta, time.monotonic()
            return meta

    def _all_metadata(self) -> dict[str, dict]:
        got = self._collection.get(include=["metadatas"])
        return {i: (m or {}) for i, m in zip(got["ids"], got["metadatas"] or [], strict=False)}

    def upsert(self, docs: Sequence[IndexDocument], vectors: np.ndarray) -> None:
        self._invalidate_metadata()
        for start in range(0, len(docs), _BATCH):
            chunk = docs[start : start + _BATCH]
            self._collection.upsert(
                ids=[d.id for d in chunk],
                embeddings=[v.tolist() for v in vectors[start : start + _BATCH]],
                documents=[d.text for d in chunk],
                metadatas=[
                    {
                        "article_id": d.article_id,
                        "language": d.language,
                        "content_hash": d.content_hash,
                        "local_authority": d.local_authority or "",
                    }
                    for d in chunk
                ],
            )

    def delete(self, ids: Sequence[str]) -> None:
        self._invalidate_metadata()
        ids = list(ids)
        for start in range(0, len(ids), _BATCH):
            self._collection.delete(ids=ids[start : start + _BATCH])

    def hashes(self) -> dict[str, str]:
        return {i: str(m.get("content_hash", "")) for i, m in self._all_metadata().items()}

    def query(self, vector: np.ndarray, k: int) -> list[Hit]:
        # No count() first: Chroma answers a k above the collection's size (or an empty
        # collection) with what it has, and the extra round trip cost a millisecond a message.
        res = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
            n_results=k,
            include=["distances"],
        )
        ids = res["ids"][0]
        metadata = self._metadata_for(ids)
        hits = []
        for i, dist in zip(ids, res["distances"][0], strict=True):
            m = metadata.get(i, {})  # deleted between the query and the reload: no metadata
            hits.append(
                Hit(
                    id=i,
                    article_id=str(m.get("article_id", "")),
                    language=str(m.get("language", "")),
                    score=1.0 - float(dist),
                    local_authority=str(m.get("local_authority") or "") or None,
                    hubness=float(m.get("hubness") or 0.0),
                )
            )
        return hits

    def vectors(self) -> tuple[list[str], list[str], np.ndarray]:
        got = self._collection.get(include=["metadatas", "embeddings"])
        ids = list(got["ids"])
        metas = got["metadatas"] or [{}] * len(ids)
        embeddings = got["embeddings"]
        matrix = np.asarray(embeddings if len(ids) else np.zeros((0, 0)), dtype=np.float32)
        return ids, [str((m or {}).get("article_id", "")) for m in metas], matrix

    def set_hubness(self, scores: dict[str, float]) -> None:
        """Metadata update only: Chroma merges the key into each document's metadata."""
        self._invalidate_metadata()
        items = list(scores.items())
        for start in range(0, len(items), _BATCH):
            chunk = items[start : start + _BATCH]
            self._collection.update(
                ids=[i for i, _ in chunk], metadatas=[{"hubness": float(h)} for _, h in chunk]
            )

    def count(self) -> int:
        return int(self._collection.count())
