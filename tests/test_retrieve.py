"""Retrieval options: the cross-encoder reranking seam, the encoder's precision, and the
keyword side's top-n selection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rag
from rag.answer.retrieve import largest
from rag.index.embed import LocalEmbedder, get_embedder, resolve_model
from rag.settings import DEFAULT_MODEL, MINILM_MODEL, Settings

QUESTION = "What do Pakistan's mineral deals with the US mean for China?"


@pytest.fixture(scope="module")
def cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real CrossEncoder folder made offline from the bundled MiniLM weights (its scoring head
    is untrained, so its order is arbitrary but fixed: what the seam must follow)."""
    from sentence_transformers import CrossEncoder

    folder = tmp_path_factory.mktemp("cross-encoder")
    CrossEncoder(resolve_model(MINILM_MODEL), num_labels=1).save(str(folder))
    return folder


def test_reranker_orders_the_fused_candidates_by_its_own_scores(
    seed_engine: rag.RAG, cross_encoder: Path
):
    from sentence_transformers import CrossEncoder

    fused = seed_engine.search(QUESTION, k=4)
    reranking = rag.RAG(
        index=seed_engine.settings.index_dir, rerank_model=str(cross_encoder), rerank_candidates=4
    )
    reranked = reranking.search(QUESTION, k=3)
    # The reranker only reorders what fusion proposed ...
    assert {p.chunk_id for p in reranked} <= {p.chunk_id for p in fused}
    # ... in the order of the cross-encoder's own scores, which become the passages' scores.
    expected = CrossEncoder(str(cross_encoder)).predict([(QUESTION, p.text) for p in fused])
    best = [fused[i].chunk_id for i in np.argsort(-expected, kind="stable")[:3]]
    assert [p.chunk_id for p in reranked] == best
    assert [p.score for p in reranked] == pytest.approx(
        sorted(expected, reverse=True)[:3], abs=1e-4
    )
    # An answer still cites exact spans of the reranked passages.
    answer = reranking.query(QUESTION)
    assert answer.found and answer.citations


def test_a_missing_reranker_names_the_setting(seed_engine: rag.RAG, tmp_path: Path):
    broken = rag.RAG(index=seed_engine.settings.index_dir, rerank_model=str(tmp_path / "none"))
    with pytest.raises(rag.RagError, match="RAG_RERANK_MODEL"):
        broken.search(QUESTION, k=3)


def test_float32_and_bfloat16_encoders_agree():
    """The fast precision must not change what is retrieved: vectors stay within cosine 0.999."""
    texts = [
        "Beijing is watching the deals carefully rather than opposing them openly.",
        "Rare earth elements are needed for magnets in motors and wind turbines.",
    ]
    full = get_embedder(Settings(embed_precision="float32"))
    half = get_embedder(Settings(embed_precision="bfloat16"))
    assert (full.precision, half.precision) == ("float32", "bfloat16")
    a, b = full.embed(texts), half.embed(texts)
    assert a.dtype == b.dtype == np.float32
    assert (a * b).sum(axis=1).min() > 0.999


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_every_vector_is_unit_length_at_either_precision(precision: str):
    """Scores are dot products, so a vector 0.4% too long ranks 0.4% too high: bfloat16's own
    normalisation left MiniLM's chunk vectors 0.9966-1.0039 long."""
    embedder = get_embedder(Settings(embed_precision=precision))
    sentence = "Rare earth elements such as neodymium are needed for the magnets in motors. "
    texts = [sentence * n for n in (1, 3, 6, 9)]
    chunk_vectors, sentences = embedder.embed_chunks(texts)
    for rows in (embedder.embed(texts), chunk_vectors, *(s.vectors for s in sentences)):
        assert np.abs(np.linalg.norm(rows, axis=1) - 1).max() < 1e-5


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_a_question_is_encoded_as_embed_encodes_it(precision: str):
    """embed_question calls the model's modules directly (faster for one text); its vector must
    be the one the batch path gives, or questions would drift from the chunks they match."""
    embedder = get_embedder(Settings(embed_precision=precision))
    question = "How does China view the new mineral deals?"
    direct = embedder.embed_question(question)
    batch = embedder.embed([question])[0]
    assert direct.dtype == np.float32 and abs(float(np.linalg.norm(direct)) - 1) < 1e-5
    assert float(direct @ batch) > 0.9999
    other = embedder.embed(["Rare earth elements are needed for magnets."])[0]
    assert float(direct @ other) < 0.9  # the check above can fail: unrelated text is far


def test_an_unknown_precision_is_refused_with_the_variable_named():
    with pytest.raises(rag.RagError, match="RAG_EMBED_PRECISION"):
        LocalEmbedder(DEFAULT_MODEL, 8, "float8")


@given(
    st.lists(st.integers(0, 5), max_size=60).map(lambda v: np.array(v, dtype=np.float32)),
    st.integers(1, 80),
)
def test_largest_picks_the_top_scores_best_first(scores: np.ndarray, n: int):
    """The partial selection gives what a full sort would: the n best scores (ties in any
    order), descending."""
    chosen = largest(scores, n)
    assert len(chosen) == min(n, len(scores)) and len(set(chosen.tolist())) == len(chosen)
    expected = np.sort(scores)[::-1][: len(chosen)]
    assert np.array_equal(scores[chosen], expected)


@given(st.lists(st.lists(st.integers(0, 4), max_size=8), min_size=1, max_size=12))
def test_keyword_coverage_weighs_each_word_by_the_chunks_that_contain_it(chunks: list[list[int]]):
    """Document frequency counts chunks, not occurrences: a word said twice in one chunk is as
    common as a word said once."""
    from rag.index.keyword_index import LexicalIndex

    used = sorted({word for chunk in chunks for word in chunk})
    words = {w: f"word{w}" for w in used}
    vocabulary = {words[w]: n for n, w in enumerate(used)}
    tokens = [np.array([vocabulary[words[w]] for w in chunk], dtype=np.int32) for chunk in chunks]
    index = LexicalIndex.build(tokens, vocabulary, 1.2, 0.75)
    n = len(chunks)
    for word in used:
        containing = sum(word in chunk for chunk in chunks)
        weight = np.log(1 + (n - containing + 0.5) / (containing + 0.5))
        others = [w for w in used if w != word]
        total = weight + sum(
            np.log(
                1 + (n - sum(o in c for c in chunks) + 0.5) / (sum(o in c for c in chunks) + 0.5)
            )
            for o in others
        )
        query = [words[w] for w in used]
        assert index.coverage(query, {words[word]}) == pytest.approx(weight / total)


def test_a_word_the_index_lacks_is_read_as_its_base_when_the_index_holds_that():
    """Snowball keeps "roofer" whole while "roofing" becomes "roof": a question's word no chunk
    holds is matched by its base, only when it ends in a derivational ending and only in English;
    a word some chunk holds is left as it is."""
    from rag.index.keyword_index import LexicalIndex
    from rag.text.keywords import tokenize

    chunks = [tokenize("Northgate Roofing quoted for the roof."), tokenize("The economic case.")]
    vocabulary = {t: n for n, t in enumerate(sorted({t for c in chunks for t in c}))}
    ids = [np.array([vocabulary[t] for t in c], dtype=np.int32) for c in chunks]
    index = LexicalIndex.build(ids, vocabulary, 1.2, 0.75)
    question = tokenize("Which roofer helps the economy?")
    assert "roofer" in question and "economi" in question
    read = index.in_vocabulary(question, "en")
    assert "roof" in read and "econom" in read and "roofer" not in read
    assert index.scores(read)[0] > 0 and index.scores(question)[0] == 0
    assert index.in_vocabulary(["roofer"], "de") == ["roofer"]
    assert index.in_vocabulary(["parish"], "en") == ["parish"]  # no derivational ending


def test_an_irregular_verb_the_index_lacks_is_read_as_the_form_it_holds():
    """ "Who will teach Year 4?" and "How much did the council pay?" ask of documents that say
    "taught" and "paid": no stemmer joins them, so a question's verb no chunk holds is read as
    whichever of its forms some chunk holds; a form the index holds is left as it is."""
    from rag.index.keyword_index import LexicalIndex
    from rag.text.keywords import tokenize

    chunks = [tokenize("Mr Okonkwo taught Year 4."), tokenize("The council paid for the roof.")]
    vocabulary = {t: n for n, t in enumerate(sorted({t for c in chunks for t in c}))}
    ids = [np.array([vocabulary[t] for t in c], dtype=np.int32) for c in chunks]
    index = LexicalIndex.build(ids, vocabulary, 1.2, 0.75)
    read = index.in_vocabulary(tokenize("Who will teach Year 4? How much did they pay?"), "en")
    assert "taught" in read and "paid" in read and "teach" not in read
    assert index.in_vocabulary(["paid"], "en") == ["paid"]
    assert index.in_vocabulary(["teach"], "fr") == ["teach"]


def test_a_word_the_index_lacks_is_read_as_another_of_its_family():
    """ "What if the deals succeed?" asks of a document that says "The success of the deals",
    "How many women ...?" of one that says "the first woman": Snowball stems each pair apart, so
    the form no chunk holds is read as the one some chunk holds; a verb in both lists keeps all
    its forms ("choose" is "chose" and "choice")."""
    from rag.index.keyword_index import LexicalIndex
    from rag.text.keywords import tokenize

    texts = ["The success of the deals.", "She was the first woman.", "A choice was made."]
    chunks = [tokenize(t) for t in texts]
    vocabulary = {t: n for n, t in enumerate(sorted({t for c in chunks for t in c}))}
    ids = [np.array([vocabulary[t] for t in c], dtype=np.int32) for c in chunks]
    index = LexicalIndex.build(ids, vocabulary, 1.2, 0.75)
    read = index.in_vocabulary(tokenize("If the deals succeed, how many women chose?"), "en")
    assert {"success", "woman", "choic"} <= set(read)
    assert not {"succeed", "women", "chose"} & set(read)
    assert list(index.scores(read) > 0) == [True, True, True]
    assert index.in_vocabulary(["women"], "de") == ["women"]
