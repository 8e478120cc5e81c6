"""Questions into answers: hybrid retrieval and fusion, reranking, extractive answers with exact
quotes, summaries, follow-up rewriting, chat models and verified generative answers.

May import: `rag.index`, `rag.text` and the base modules; never `rag.ingestion`."""
