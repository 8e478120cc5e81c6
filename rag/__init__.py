"""rag: ask questions of your own documents and get answers with exact, cited passages."""

from .answer.llm import ChatModel
from .api import RAG, IndexedFile, Status
from .errors import (
    Forbidden,
    IndexBusy,
    InvalidInput,
    LLMError,
    LoadError,
    ModelError,
    ModelMismatch,
    NotFound,
    RagError,
    SettingsError,
    StoreError,
)
from .ingestion.formats import SUPPORTED_SUFFIXES
from .settings import Settings
from .shortcuts import ingest, query, read_document, search
from .types import (
    Answer,
    ChatTurn,
    Chunk,
    Citation,
    Conversation,
    Document,
    FileFailure,
    IngestReport,
    Passage,
    StreamEvent,
    Token,
    User,
)

__all__ = [
    "RAG",
    "Answer",
    "ChatModel",
    "ChatTurn",
    "Chats",
    "Chunk",
    "Citation",
    "Conversation",
    "Document",
    "FileFailure",
    "Forbidden",
    "IndexedFile",
    "IngestReport",
    "IndexBusy",
    "InvalidInput",
    "LLMError",
    "LoadError",
    "ModelError",
    "ModelMismatch",
    "NotFound",
    "Passage",
    "RagError",
    "SUPPORTED_SUFFIXES",
    "Settings",
    "SettingsError",
    "Status",
    "StoreError",
    "StreamEvent",
    "Token",
    "User",
    "ingest",
    "query",
    "read_document",
    "search",
]


def __getattr__(name: str) -> object:
    """`rag.Chats` is imported on first use: it brings SQLAlchemy (a quarter of a second), which
    every `import rag` would otherwise pay, the child processes that read files included."""
    if name == "Chats":
        from .chats import Chats

        return Chats
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
