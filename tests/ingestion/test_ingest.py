import shutil

import pytest

from assistant.settings import Settings
from ingestion.chunking import chunk_article
from ingestion.pipeline import ingest
from ingestion.sources import load_sources
from knowledge_base.chroma_store import ChromaVectorStore
from knowledge_base.store import InMemoryVectorStore, hubness_scores
from tests.fakes import HashEmbedder

CONTENT = Settings().content_dir


@pytest.fixture
def content(tmp_path):
    dst = tmp_path / "content"
    shutil.copytree(CONTENT, dst)
    return dst


@pytest.fixture(params=["memory", "chroma"])
def store(request, tmp_path):
    if request.param == "memory":
        return InMemoryVectorStore("hash:256")
    return ChromaVectorStore("hash:256", path=tmp_path / "chroma")


def test_ingest_is_idempotent_and_incremental(content, store):
    emb = HashEmbedder()
    first = ingest(load_sources(content), store, emb)
    assert first.added and not first.updated and not first.removed
    assert store.count() == first.documents_embedded
    embedded = emb.passage_calls

    again = ingest(load_sources(content), store, emb)
    assert not again.changed and emb.passage_calls == embedded

    victim = sorted(content.glob("*/*.md"))[0]
    victim.write_text(victim.read_text().replace("---\n", "---\n", 1) + "\nOne more line.\n")
    changed = ingest(load_sources(content), store, emb)
    assert changed.updated == [victim.stem]
    victim_article = next(a for a in load_sources(content) if a.id == victim.stem)
    assert emb.passage_calls - embedded == len(chunk_article(victim_article))

    removed = sorted(content.glob("*/*.md"))[1]
    removed.unlink()
    removed.with_name(removed.stem + ".tr.yaml").unlink(missing_ok=True)
    gone = ingest(load_sources(content), store, emb)
    assert gone.removed == [removed.stem]
    assert all(not i.startswith(removed.stem + "#") for i in store.hashes())


def test_translations_are_indexed_per_language():
    articles = [a for a in load_sources(CONTENT) if a.translations]
    assert articles, "the seed knowledge base has translations"
    docs = chunk_article(articles[0])
    langs = {d.language for d in docs}
    assert "en" in langs and set(articles[0].translations) <= langs
    assert all(d.article_id == articles[0].id for d in docs)


def test_ingest_refreshes_hubness_when_documents_change(content, store):
    emb = HashEmbedder()
    ingest(load_sources(content), store, emb)
    ids, _, _ = store.vectors()
    first = {h.id: h.hubness for h in store.query(emb.embed_query("visa sponsor"), len(ids))}
    assert any(h != 0.0 for h in first.values())

    removed = sorted(content.glob("*/*.md"))[0]
    removed.unlink()
    removed.with_name(removed.stem + ".tr.yaml").unlink(missing_ok=True)
    ingest(load_sources(content), store, emb)
    ids, arts, matrix = store.vectors()
    want = hubness_scores(ids, arts, matrix)
    got = {h.id: h.hubness for h in store.query(emb.embed_query("visa sponsor"), len(ids))}
    assert set(got) == set(want)
    assert all(abs(got[i] - want[i]) < 1e-5 for i in want)
    assert any(abs(got[i] - first[i]) > 1e-9 for i in want)  # recomputed, not left stale
