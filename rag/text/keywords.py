"""Keyword tokens: what the BM25 side of retrieval (and keyword coverage in answers) counts as
a word. Saved search snapshots hold these tokens, so a change here bumps `TOKENS_VERSION`."""

from __future__ import annotations

import re
from functools import cache

# A word of two or more characters, without the underscores of markdown emphasis around it
# ("_Project Vault_" gave "_project" and "vault_", so "What is Project Vault?" matched nothing);
# an identifier's inner ones stay ("load_dotenv").
_TOKEN = re.compile(r"(?u)[^\W_]\w*[^\W_]")
# Bump when `tokenize` changes: saved snapshots hold its tokens and are rebuilt.
TOKENS_VERSION = 2


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)  # includes question words (what, how, who)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-word-free, Snowball-stemmed word tokens."""
    stop = _stopwords()
    words = [w for w in _TOKEN.findall(text.lower()) if w not in stop]
    return _stemmer().stemWords(words) if words else []
