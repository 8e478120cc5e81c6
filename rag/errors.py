"""The errors rag raises on purpose; each message says what went wrong and what to do."""


class RagError(Exception):
    """Base class: catch this to handle any of rag's own errors."""


class LoadError(RagError):
    """A file could not be read; the message says why in words a user can act on."""


class StoreError(RagError):
    """The index folder cannot be used as it is; the message names the fix."""


class ModelError(RagError):
    """The embedding model could not be loaded; the message says what to configure."""
