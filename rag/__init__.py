"""rag: ask questions of your own documents and get answers with exact, cited passages."""

from .api import RAG, IndexedFile, Status, ingest, query, read_document, search
from .errors import LoadError, ModelError, RagError, StoreError
from .loaders import SUPPORTED_SUFFIXES
from .settings import Settings
from .types import Answer, Chunk, Citation, Document, FileFailure, IngestReport, Passage

__all__ = [
    "RAG",
    "Answer",
    "Chunk",
    "Citation",
    "Document",
    "FileFailure",
    "IndexedFile",
    "IngestReport",
    "LoadError",
    "ModelError",
    "Passage",
    "RagError",
    "SUPPORTED_SUFFIXES",
    "Settings",
    "Status",
    "StoreError",
    "ingest",
    "query",
    "read_document",
    "search",
]
