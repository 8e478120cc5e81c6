"""rag inside LlamaIndex: our hybrid retrieval as a `BaseRetriever`, and our cited answers as a
query engine, so they plug into the query engines, chat engines and fusion retrievers
developers already run.

Nodes carry our exact spans (`start_char_idx`/`end_char_idx` into the document's extracted
text), the metadata keys LlamaIndex's own file readers use (`file_path`, `file_name`,
`page_label`), and our fused score."""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import ConfigDict

from ..api import RAG, PathLike
from ..types import Citation, Passage


class RagRetriever(BaseRetriever):
    """The `k` best passages of a rag index for a query (`sources` scopes it to some documents:
    paths, folders, glob patterns), as LlamaIndex nodes with their exact spans."""

    def __init__(self, engine: RAG, k: int = 5, sources: Sequence[PathLike] | None = None):
        super().__init__()
        self.engine, self.k, self.sources = engine, k, sources

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self.engine.search(query_bundle.query_str, k=self.k, sources=self.sources)
        given = {d.source: d.metadata for d in self.engine.documents() if d.metadata}
        nodes = [NodeWithScore(node=passage_node(p), score=p.score) for p in passages]
        for node, passage in zip(nodes, passages, strict=True):
            # A Document's own metadata (title, URL...) comes back with its passages; the
            # span keys stay ours.
            node.node.metadata = {**given.get(passage.source, {}), **node.node.metadata}
        return nodes


class RagQueryEngine(CustomQueryEngine):
    """rag's own answers in LlamaIndex: `Response.response` is the answer (quotes with [n]
    markers, or a "not covered" note), `source_nodes` its citations in [n] order, and
    `metadata` holds `found`, each citation's quoted spans and, in generative mode, the
    sentences that failed verification (`unsupported`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    engine: RAG
    mode: str | None = None
    sources: Sequence[str] | None = None

    def custom_query(self, query_str: str) -> Response:
        answer = self.engine.query(query_str, mode=self.mode, sources=self.sources)
        return Response(
            response=answer.text,
            source_nodes=[
                NodeWithScore(node=citation_node(c), score=c.score) for c in answer.citations
            ],
            metadata={
                "found": answer.found,
                "quote_spans": {c.n: list(c.quote_spans) for c in answer.citations},
                "unsupported": list(answer.unsupported),
            },
        )


def passage_node(passage: Passage) -> TextNode:
    return _node(
        passage.chunk_id, passage.source, passage.page, passage.start, passage.end, passage.text
    )


def citation_node(citation: Citation) -> TextNode:
    node = _node(
        f"{citation.source}:{citation.start}",
        citation.source,
        citation.page,
        citation.start,
        citation.end,
        citation.text,
    )
    node.metadata["quote"] = citation.quote
    return node


def _node(node_id: str, source: str, page: int | None, start: int, end: int, text: str) -> TextNode:
    metadata: dict[str, object] = {"file_path": source, "file_name": source.rsplit("/", 1)[-1]}
    if page is not None:
        metadata["page_label"] = str(page)
    return TextNode(
        id_=node_id or f"{source}:{start}",
        text=text,
        start_char_idx=start,
        end_char_idx=end,
        metadata=metadata,
    )
