"""Files into the index: discovery, one reader per format (`formats/`), OCR, the reader child
process, incremental sync, upload staging, and texts given as LlamaIndex Documents.

May import: `rag.index`, `rag.text` and the base modules; never `rag.answer`."""
