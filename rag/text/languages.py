"""Which language a text is in, and what that means for reading it: its Snowball stemmer, its
stop words, and whether its script writes words without spaces between them.

Detection is py3langid's (a model under 1 MB that ships in the package, 97 languages), so it
works offline; it is asked once per chunk when a search snapshot is built, and once per
question."""

from __future__ import annotations

import threading
from functools import cache, lru_cache

import regex

# ISO 639-1 codes to the names of Snowball's stemmers in PyStemmer.
_STEMMERS = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
# bm25s's stop word lists by language (English uses its longer list, with question words).
_STOPWORDS = {
    "en": "STOPWORDS_EN_PLUS",
    "da": "STOPWORDS_DANISH",
    "de": "STOPWORDS_GERMAN",
    "es": "STOPWORDS_SPANISH",
    "fr": "STOPWORDS_FRENCH",
    "it": "STOPWORDS_ITALIAN",
    "nl": "STOPWORDS_DUTCH",
    "no": "STOPWORDS_NORWEGIAN",
    "pt": "STOPWORDS_PORTUGUESE",
    "ru": "STOPWORDS_RUSSIAN",
    "sv": "STOPWORDS_SWEDISH",
    "tr": "STOPWORDS_TURKISH",
    "zh": "STOPWORDS_CHINESE",
}
# Scripts written without spaces between words: a run of them is read as overlapping character
# pairs (bigrams), the usual keyword baseline for Chinese, Japanese and Thai, which needs no
# dictionary of words.
UNSPACED = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]+"
)
# What a message calls a language (ISO 639-1 code to English name); others go by their code.
_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
    "da": "Danish", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
    "et": "Estonian", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "ms": "Malay",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip
# The script each language is written in, where it is not the Latin alphabet (ISO 639-1, as
# py3langid detects them). Japanese shares its Han characters with Chinese: names cross.
_SCRIPTS = {
    "am": "Ethiopic", "ar": "Arabic", "fa": "Arabic", "ps": "Arabic", "ug": "Arabic",
    "ur": "Arabic", "as": "Bengali", "bn": "Bengali", "be": "Cyrillic", "bg": "Cyrillic",
    "kk": "Cyrillic", "ky": "Cyrillic", "mk": "Cyrillic", "mn": "Cyrillic", "ru": "Cyrillic",
    "sr": "Cyrillic", "uk": "Cyrillic", "dz": "Tibetan", "bo": "Tibetan", "el": "Greek",
    "gu": "Gujarati", "he": "Hebrew", "hi": "Devanagari", "mr": "Devanagari",
    "ne": "Devanagari", "hy": "Armenian", "ja": "Han", "ka": "Georgian", "km": "Khmer",
    "kn": "Kannada", "ko": "Hangul", "lo": "Lao", "ml": "Malayalam", "my": "Myanmar",
    "or": "Oriya", "pa": "Gurmukhi", "si": "Sinhala", "ta": "Tamil", "te": "Telugu",
    "th": "Thai", "zh": "Han",
}  # fmt: skip
# Languages written without spaces between words (ISO 639-1, as detected).
UNSPACED_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})
_LETTERS = regex.compile(r"\p{L}")
# A text needs this many letters before its language is guessed; below, "" (unknown).
_MIN_LETTERS = 3
_LOCK = threading.Lock()


@lru_cache(maxsize=1024)  # a search reads its question's language twice (keywords, scale)
def detect(text: str) -> str:
    """The ISO 639-1 code of `text`'s language, or "" when it has too few letters to tell."""
    if len(_LETTERS.findall(text[:200])) < _MIN_LETTERS:
        return ""
    with _LOCK:  # its one process-wide identifier keeps scratch arrays on itself
        language, _score = _classify()(text[:2000])
    return str(language)


@cache
def _classify():  # -> py3langid's classify, over languages with two-letter codes only
    """py3langid also tells dialects and regional forms apart (Wu and Cantonese from Chinese,
    Moroccan and Egyptian from Arabic), which split one language's text into several: 10% of
    XQuAD's Chinese questions read as Wu. Only languages with an ISO 639-1 code are kept."""
    from py3langid import langid

    known = [code for code in langid._get_identifier().nb_classes if len(code) == 2]
    langid.set_languages(known)
    return langid.classify


@cache
def stemmer(language: str):  # -> a PyStemmer Stemmer, or None where Snowball has none
    name = _STEMMERS.get(language)
    if name is None:
        return None
    import Stemmer

    return Stemmer.Stemmer(name)


@cache
def stopwords(language: str) -> frozenset[str]:
    name = _STOPWORDS.get(language)
    if name is None:
        return frozenset()
    import bm25s.stopwords

    return frozenset(getattr(bm25s.stopwords, name))


def script(language: str) -> str:
    """The script `language` (an ISO 639-1 code) is written in: "Cyrillic" for "ru", "Latin"
    for most."""
    return _SCRIPTS.get(language, "Latin")


def language_name(language: str) -> str:
    """What a message calls `language` (an ISO 639-1 code): "Chinese" for "zh"."""
    return _NAMES.get(language, f'"{language}"')
