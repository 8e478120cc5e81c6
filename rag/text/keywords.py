"""Keyword tokens: what the BM25 side of retrieval (and keyword coverage in answers) counts as
a word, in the text's own language. Saved search snapshots hold these tokens, so a change here
bumps `TOKENS_VERSION`.

English keeps the tokens it always had. Other languages: words of letters, marks and digits
(Devanagari's vowel signs and Arabic's diacritics are marks, which `\\w` does not match, so they
split words), lower-cased, their stop words out where bm25s lists them, Snowball-stemmed where
Snowball has a stemmer; scripts written without spaces (Chinese, Japanese, Thai) as overlapping
character pairs."""

from __future__ import annotations

import functools
import re

import regex

from .languages import UNSPACED, stemmer, stopwords

# A word of two or more characters, without the underscores of markdown emphasis around it
# ("_Project Vault_" gave "_project" and "vault_", so "What is Project Vault?" matched nothing);
# an identifier's inner ones stay ("load_dotenv").
_TOKEN = re.compile(r"(?u)[^\W_]\w*[^\W_]")
# The same in any script: letters and digits with their combining marks.
_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}_]*[\p{L}\p{M}\p{N}]|[\p{L}\p{N}]\p{M}*")
# Initials written with full stops are one word: "U.S." is the "US" a question types (it was no
# token at all, its letters too short), "E.O." is "EO".
_INITIALISM = regex.compile(r"(?<![\p{L}\p{N}.])(?:\p{L}\.){2,}")
# Bump when `tokenize` changes: saved snapshots hold its tokens and are rebuilt.
TOKENS_VERSION = 4
ENGLISH = "en"


def tokenize(text: str, language: str = ENGLISH) -> list[str]:
    """Lower-cased, stop-word-free, stemmed word tokens of `text` read as `language` (an ISO
    639-1 code; "" when unknown)."""
    text = _INITIALISM.sub(lambda m: m.group().replace(".", ""), text)
    if language == ENGLISH and not UNSPACED.search(text):
        stop = stopwords(ENGLISH)
        words = [w for w in _TOKEN.findall(text.lower()) if w not in stop]
        return stemmer(ENGLISH).stemWords(words) if words else []
    stop = stopwords(language)
    words, pairs = [], []
    for word in _WORD.findall(text.lower()):
        if UNSPACED.search(word):
            pairs += _pairs(word)
        elif word not in stop and (len(word) > 1 or not word.isascii()):
            words.append(word)
    stem = stemmer(language)
    if stem is not None and words:
        words = stem.stemWords(words)
    return words + pairs


def _pairs(word: str) -> list[str]:
    """Overlapping character pairs of each run of an unspaced script in `word` (a lone character
    as itself); other letters in it (a Latin name inside Chinese text) as one token."""
    tokens = []
    at = 0
    for run in UNSPACED.finditer(word):
        if run.start() > at:
            tokens.append(word[at : run.start()])
        chars = run.group()
        tokens += [chars] if len(chars) == 1 else [chars[i : i + 2] for i in range(len(chars) - 1)]
        at = run.end()
    if at < len(word):
        tokens.append(word[at:])
    return tokens


# Derivational endings Snowball's English stemmer keeps: "roofing" is "roof" but "roofer" stays
# "roofer", "economic" is "econom" but "economy" is "economi".
_DERIVED_ENDINGS = ("ers", "er", "ors", "or", "ists", "ist", "i")
_BASE_LETTERS = 4


# Irregular verbs, each family's forms together: a question asks "Who will teach ...?" or "How
# much did they pay?" of a document that says "taught" and "paid", which no stemmer joins. Verbs
# whose past is a common word of its own are left out (fall / fell, see / saw, rise / rose, lay /
# laid, feed / fed, ring / rung, bite / bit).
_IRREGULAR = """
arise arose arisen; become became; begin began begun; bend bent; break broke broken; bring
brought; build built; buy bought; catch caught; choose chose chosen; come came; deal dealt; draw
drew drawn; drink drank drunk; drive drove driven; eat ate eaten; feel felt; fight fought; find
found; fly flew flown; forbid forbade forbidden; forget forgot forgotten; freeze froze frozen;
get got gotten; give gave given; go went gone; grow grew grown; hear heard; hide hid hidden; hold
held; keep kept; know knew known; lead led; leave left; lend lent; lose lost; make made; mean
meant; meet met; pay paid; ride rode ridden; run ran; say said; seek sought; sell sold; send
sent; shake shook shaken; shine shone; shoot shot; sing sang sung; sink sank sunk; sit sat; sleep
slept; speak spoke spoken; spend spent; stand stood; steal stole stolen; strike struck; swim swam
swum; take took taken; teach taught; tear tore torn; tell told; think thought; throw threw
thrown; understand understood; wake woke woken; wear wore worn; win won; write wrote written
"""

# Words of one family Snowball stems apart: a noun made from a verb or an adjective, and an
# irregular plural ("How many women ...?" of a document that says "the first woman", "Why did it
# fail?" of "the failure"). Pairs whose derived word has a meaning of its own are left out (carry /
# carriage, move / movement, extend / extension, long / length, since "how long" asks a time).
_RELATED = """
die death dead; grow growth; high height; deep depth; wide width; broad breadth; strong strength;
warm warmth; true truth; weigh weight; succeed success; fail failure; decide decision; explain
explanation; choose choice; lose loss; sell sale; fly flight; permit permission; admit admission;
describe description; prescribe prescription; subscribe subscription; produce production; reduce
reduction; introduce introduction; apply application; deny denial; comply compliance; rely
reliance; marry marriage; pay payment; agree agreement; treat treatment; depart departure; expose
exposure; disclose disclosure; pronounce pronunciation; maintain maintenance; repeat repetition;
compete competition; solve solution; absorb absorption; assume assumption; consume consumption;
destroy destruction; analyse analysis; safe safety; hungry hunger; angry anger; explode explosion;
invade invasion; collide collision; conclude conclusion; exclude exclusion; persuade persuasion;
erode erosion; expand expansion; respond response; defend defence defense; offend offence; intend
intention; register registration; compare comparison; expire expiry; inquire inquiry enquire
enquiry; deliver delivery; discover discovery; recover recovery; injure injury; enter entry
entrance; occur occurrence; emerge emergence; evolve evolution; resolve resolution; submit
submission; transmit transmission; omit omission; emit emission; create creation; cite citation;
settle settlement; rent rental; bury burial; acquire acquisition; oppose opposition; impose
imposition; vary variation; child children; person people; man men; woman women; tooth teeth;
mouse mice
"""


def bases(token: str, language: str = ENGLISH) -> list[str]:
    """The other forms an English keyword `token` may take in a document: the shorter ones it
    shares its base with, one per derivational ending it ends in ("roofer" -> ["roof"], "economi"
    -> ["econom"]), and the other forms of its family: an irregular verb's ("teach" -> ["taught"]),
    a derived noun's ("succeed" -> ["success"]), an irregular plural's; none in other languages."""
    if language != ENGLISH:
        return []
    derived = [
        token[: -len(ending)]
        for ending in _DERIVED_ENDINGS
        if token.endswith(ending) and len(token) - len(ending) >= _BASE_LETTERS
    ]
    return derived + _family_forms().get(token, [])


@functools.cache  # built once, on the first question
def _family_forms() -> dict[str, list[str]]:
    """Each stemmed form of `_IRREGULAR`'s verbs and `_RELATED`'s words -> its family's other
    stemmed forms (a verb in both lists, "choose" and "chose" and "choice", is one family)."""
    forms: dict[str, list[str]] = {}
    for family in f"{_IRREGULAR};{_RELATED}".split(";"):
        stems = stemmer(ENGLISH).stemWords(family.split())
        joined = dict.fromkeys([*stems, *(t for s in stems for t in forms.get(s, []))])
        forms.update({s: [t for t in joined if t != s] for s in joined})
    return forms
