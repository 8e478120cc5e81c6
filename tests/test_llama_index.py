"""rag inside LlamaIndex: RagRetriever in LlamaIndex's own engines (with a real small LLM, the
SmolLM2 GGUF served by llama.cpp through LlamaIndex's OpenAI-compatible LLM class) and
RagQueryEngine, each over seeds/ with source nodes on the exact spans; the README's example runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from llama_index.core.chat_engine import CondensePlusContextChatEngine
from llama_index.core.query_engine import CitationQueryEngine, RetrieverQueryEngine
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.llms.openai_like import OpenAILike

import rag
from rag.answer.llm import _local_server
from rag.serve.llama_index import RagQueryEngine, RagRetriever

from .conftest import CHINA_QUESTION, ROOT
from .test_generate import GGUF

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out


@pytest.fixture(scope="module")
def llm() -> OpenAILike:
    return OpenAILike(
        api_base=_local_server(GGUF, 2),
        model="local",
        api_key="not-needed",
        is_chat_model=True,
        max_tokens=48,
        timeout=300,
    )


def _on_exact_spans(nodes) -> bool:
    """Every node's text is its document's extracted text at its span, and one names Beijing."""
    for item in nodes:
        node = item.node
        text = rag.read_document(node.metadata["file_path"]).text
        assert text[node.start_char_idx : node.end_char_idx] == node.text
    return any("Beijing" in item.node.text for item in nodes)


def test_the_retriever_in_llama_index_engines(seed_engine: rag.RAG, llm: OpenAILike):
    retriever = RagRetriever(seed_engine, k=3)
    assert _on_exact_spans(retriever.retrieve(CHINA_QUESTION))

    response = RetrieverQueryEngine.from_args(retriever, llm=llm).query(CHINA_QUESTION)
    assert response.response and _on_exact_spans(response.source_nodes)

    fusion = QueryFusionRetriever([retriever], llm=llm, num_queries=2, use_async=False)
    assert _on_exact_spans(fusion.retrieve(CHINA_QUESTION))

    chat = CondensePlusContextChatEngine.from_defaults(retriever, llm=llm)
    reply = chat.chat(CHINA_QUESTION)
    assert reply.response and _on_exact_spans(reply.source_nodes)

    cited = CitationQueryEngine(retriever=retriever, llm=llm).query(CHINA_QUESTION)
    assert cited.response and any("Beijing" in n.node.text for n in cited.source_nodes)
    assert {n.node.metadata["file_path"] for n in cited.source_nodes} <= {
        d.source for d in seed_engine.documents()
    }


def test_the_query_engine_gives_rags_cited_answer(seed_engine: rag.RAG):
    response = RagQueryEngine(engine=seed_engine).query(CHINA_QUESTION)
    assert response.metadata["found"] and "Beijing" in response.response
    assert _on_exact_spans(response.source_nodes)
    spans = response.metadata["quote_spans"][1]
    node = response.source_nodes[0].node
    text = rag.read_document(node.metadata["file_path"]).text
    assert all(" ".join(text[s:e].split()) in response.response for s, e in spans)
    off_topic = RagQueryEngine(engine=seed_engine).query("Who won the 2018 FIFA World Cup?")
    assert off_topic.metadata["found"] is False and not off_topic.source_nodes


def test_the_readme_example_runs(seed_engine: rag.RAG, capsys: pytest.CaptureFixture[str]):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Use it with LlamaIndex", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(code.replace('"index/"', repr(str(seed_engine.settings.index_dir))), {})
    printed = capsys.readouterr().out
    assert "Beijing" in printed and Path(printed.splitlines()[-1]).suffix in {".md", ".txt"}
