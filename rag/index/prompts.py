"""What an embedding model wants before a question and before a passage. Models trained with
instructions (e5: "query: " and "passage: "; bge; nomic) give worse vectors without them, and a
question and a passage with the same words must get different ones.

`embed_prefixes` (RAG_EMBED_PREFIXES) chooses: "auto" takes a local model's own prompts
(sentence-transformers keeps them in config_sentence_transformers.json) or, for a model known by
name (a server's model too), the prefixes in `_KNOWN`; "none" sends texts as they are; and
"QUERY|PASSAGE" gives both, e.g. "query: |passage: "."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SettingsError


@dataclass(frozen=True)
class Prefixes:
    query: str = ""
    passage: str = ""


# Fragments of model names (lower case) and the prefixes their model cards ask for.
_KNOWN = (
    ("e5", Prefixes("query: ", "passage: ")),
    ("bge", Prefixes("Represent this sentence for searching relevant passages: ", "")),
    ("nomic-embed", Prefixes("search_query: ", "search_document: ")),
)


def prefixes(setting: str, model: str, own: dict[str, str] | None = None) -> Prefixes:
    """The prefixes for `model` under `setting` ("auto", "none" or "QUERY|PASSAGE"); `own` is
    the model's own prompts by name, where it has them."""
    if setting == "none":
        return Prefixes()
    if setting != "auto":
        query, bar, passage = setting.partition("|")
        if not bar:
            raise SettingsError(
                f"RAG_EMBED_PREFIXES={setting!r}: give auto, none, or QUERY|PASSAGE "
                '(e.g. "query: |passage: ")'
            )
        return Prefixes(query, passage)
    if own and ("query" in own or "passage" in own or "document" in own):
        return Prefixes(own.get("query", ""), own.get("passage", own.get("document", "")))
    name = model.lower().rsplit("/", 1)[-1]
    return next((known for fragment, known in _KNOWN if fragment in name), Prefixes())
