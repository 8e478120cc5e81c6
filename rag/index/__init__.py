"""The index on disk: the Chroma store and its manifest, the records it keeps, embedders (local
and remote) and the search snapshot with its keyword index.

May import: `rag.text` and the base modules (`rag.settings`, `rag.types`, `rag.errors`)."""
