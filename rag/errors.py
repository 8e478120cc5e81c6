"""The errors rag raises on purpose; each message says what went wrong and what to do.

Catch `RagError` for all of them. The hierarchy:

    RagError
    ├── InvalidInput       a bad argument (empty question, k < 1); also a ValueError
    ├── SettingsError      a setting out of range or of the wrong type; names its RAG_* variable
    │                      or keyword; also a ValueError
    ├── LoadError          one file could not be read (reported per file by ingest)
    ├── StoreError         the index folder or Chroma server cannot be used as it is
    │   ├── IndexBusy      another process kept the index's write lock past the timeout
    │   └── ModelMismatch  the embedding model's vectors are not those the index holds
    ├── ModelError         the embedding or reranking model could not be loaded, or the
    │                      embedding server failed
    ├── LLMError           the language model (generative mode) is not configured, unreachable,
    │                      or failed mid-answer
    ├── NotFound           a conversation, turn or user that is not there for the caller
    └── Forbidden          the caller's role does not allow it
"""


class RagError(Exception):
    """Base class: catch this to handle any of rag's own errors."""


class InvalidInput(RagError, ValueError):
    """An argument to the API cannot be used (an empty question, `k` below 1)."""


class SettingsError(RagError, ValueError):
    """A setting is invalid; the message names the `RAG_*` variable or keyword and a valid value."""


class LoadError(RagError):
    """A file could not be read; the message says why in words a user can act on."""


class StoreError(RagError):
    """The index folder cannot be used as it is; the message names the fix."""


class IndexBusy(StoreError):
    """Another process held the index's write lock for longer than `RAG_LOCK_TIMEOUT_S`; trying
    again later can succeed."""


class ModelMismatch(StoreError):
    """The configured embedding model (local, or on an embedding server) gives other vectors
    than the model that wrote the index; mixing them would make search meaningless."""


class ModelError(RagError):
    """A sentence-transformers model (the embedder, or the optional cross-encoder reranker)
    could not be loaded from its package, local folder or hub name; the message says what to
    configure."""


class LLMError(RagError):
    """The language model could not be reached or failed mid-answer."""


class NotFound(RagError, LookupError):
    """A conversation, turn or user that does not exist, or that belongs to someone else (the
    two are not told apart, so ids cannot be probed)."""


class Forbidden(RagError, PermissionError):
    """The account's role does not allow this (a reader uploading, an editor managing users)."""
