"""Text as a reader sees it, used by every stage: sentence spans and chunks, sections,
references and notes, markup, what a question asks for, acronyms, and the keyword tokens of
BM25 (the home of per-language analysis).

May import: `rag.settings`, `rag.types`, `rag.errors`, and its own modules."""
