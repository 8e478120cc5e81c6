"""rag: ask questions of your own documents and get answers with exact, cited passages."""

from .answer.llm import ChatModel
from .api import RAG, IndexedFile, Status, ingest, query, read_document, search
from .errors import (
    IndexBusy,
    InvalidInput,
    LLMError,
    LoadError,
    ModelError,
    ModelMismatch,
    RagError,
    SettingsError,
    StoreError,
)
from .ingestion.formats import SUPPORTED_SUFFIXES
from .settings import Settings
from .types import (
    Answer,
    Chunk,
    Citation,
    Document,
    FileFailure,
    IngestReport,
    Passage,
    StreamEvent,
    Token,
)

__all__ = [
    "RAG",
    "Answer",
    "ChatModel",
    "Chunk",
    "Citation",
    "Document",
    "FileFailure",
    "IndexedFile",
    "IngestReport",
    "IndexBusy",
    "InvalidInput",
    "LLMError",
    "LoadError",
    "ModelError",
    "ModelMismatch",
    "Passage",
    "RagError",
    "SUPPORTED_SUFFIXES",
    "Settings",
    "SettingsError",
    "Status",
    "StoreError",
    "StreamEvent",
    "Token",
    "ingest",
    "query",
    "read_document",
    "search",
]
