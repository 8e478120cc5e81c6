"""rag inside LlamaIndex (`from rag.llama_index import RagRetriever, RagQueryEngine`): the public
name of the integration in `rag.serve.llama_index`."""

from .serve.llama_index import RagQueryEngine, RagRetriever, citation_node, passage_node

__all__ = ["RagQueryEngine", "RagRetriever", "citation_node", "passage_node"]
