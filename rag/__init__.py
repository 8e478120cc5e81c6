"""rag: ask questions of your own documents and get answers with exact, cited passages."""

from .api import RAG, IndexedFile, Status, ingest, query, read_document, search
from .embed import ModelError
from .loaders import LoadError
from .settings import Settings
from .store import StoreError
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
    "Settings",
    "Status",
    "StoreError",
    "ingest",
    "query",
    "read_document",
    "search",
]
