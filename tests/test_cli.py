"""The `rag` command as a user runs it: a real process, real files, real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CHINA_QUESTION, DOCS, ROOT

pytestmark = pytest.mark.slow  # see pyproject.toml: the fast tier leaves these out


def _rag(*args: str, index: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAG_INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "rag.serve.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ingest_ask_status_round_trip(tmp_path: Path):
    index = tmp_path / "index"
    ingest = _rag("ingest", "seeds/", index=index)
    assert ingest.returncode == 0, ingest.stderr
    assert "4 added" in ingest.stdout
    assert "100%" in ingest.stderr and "file/s" in ingest.stderr  # progress bar with rate
    assert "updating the search index" in ingest.stderr  # the step after the last file

    asked = _rag("ask", CHINA_QUESTION, "--json", index=index)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["found"] is True and "[1]" in answer["text"]
    citation = answer["citations"][0]
    assert set(citation) >= {"n", "source", "page", "start", "end", "text", "quote", "score"}
    assert citation["source"] == "seeds/pakistan-us-deals-and-china.md"

    plain = _rag("ask", "Who won the Tour de France in 1998?", index=index)
    assert plain.returncode == 0 and "do not seem to cover" in plain.stdout

    status = json.loads(_rag("status", "--json", index=index).stdout)
    assert status["documents"] == 4 and status["chunks"] > 4 and status["size_bytes"] > 0


def test_library_log_lines_stay_out_of_the_progress_bar(tmp_path: Path):
    """Importing llama-index's .docx reader configured the root logger, after which bm25s's
    debug lines ("Building index from IDs") were printed over the bar."""
    ingest = _rag("ingest", str(DOCS / "word_sample.docx"), index=tmp_path / "index")
    assert ingest.returncode == 0 and "1 added" in ingest.stdout, ingest.stderr
    assert " - DEBUG - " not in ingest.stderr and " - INFO - " not in ingest.stderr
    assert "100%" in ingest.stderr  # the bar itself is still there


def test_failures_are_listed_and_set_the_exit_code(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ok.txt").write_text("Cranes dance during courtship displays.")
    (docs / "bad.pdf").write_bytes(b"%PDF-1.5 cut short")
    result = _rag("ingest", str(docs), "--quiet", index=tmp_path / "index")
    assert result.returncode == 1
    assert f"failed: {docs / 'bad.pdf'}: corrupt or truncated PDF" in result.stderr
    assert "1 added" in result.stdout and "1 failed" in result.stdout


def test_damaged_index_is_an_error_not_a_traceback(tmp_path: Path):
    index = tmp_path / "index"
    index.mkdir()
    (index / "manifest.json").write_text('{"version": 99, "files": {}}')
    result = _rag("status", index=index)
    assert result.returncode == 2
    assert "rag: error:" in result.stderr and "--rebuild" in result.stderr
    assert "Traceback" not in result.stderr
    # An index folder that cannot be made (here, under a file) is one line naming the setting.
    (tmp_path / "notes.txt").write_text("not a folder")
    unusable = _rag("status", index=tmp_path / "notes.txt" / "index")
    assert unusable.returncode == 2 and "Traceback" not in unusable.stderr
    assert unusable.stderr.startswith("rag: error: cannot create the index folder")
    assert "RAG_INDEX_DIR" in unusable.stderr


def test_a_reranker_that_cannot_load_is_a_one_line_error(tmp_path: Path):
    index = tmp_path / "index"
    assert _rag("ingest", "seeds/", "--quiet", index=index).returncode == 0
    missing = tmp_path / "no-such-cross-encoder"
    asked = _rag("ask", CHINA_QUESTION, "--rerank-model", str(missing), index=index)
    assert asked.returncode == 2, asked.stderr
    assert "RAG_RERANK_MODEL" in asked.stderr and str(missing) in asked.stderr
    assert "Traceback" not in asked.stderr
