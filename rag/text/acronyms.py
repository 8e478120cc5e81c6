"""Acronyms in a question, spelled out from the documents that define them.

"What is CPEC?" embeds weakly (one rare token) and is easily refused as not covered, although a
document says "the China-Pakistan Economic Corridor, usually shortened to CPEC". Searching for
"What is CPEC (China-Pakistan Economic Corridor)?" finds that passage with a strong similarity.
A definition is a run of capitalised words, in the same sentence as the acronym (before it, or
in brackets after it), whose initials spell it, in the manner of Schwartz and Hearst's
abbreviation finder."""

from __future__ import annotations

import re

# Letters only: with digits they are mostly names (gene "H2A", model "GPT4"), not abbreviations.
_ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*")
# Small words inside a long form, which may give a letter or not ("Bank of England": BoE or BE).
_LINKING = frozenset({"of", "and", "the", "for", "in", "on", "to", "de"})
_SENTENCE_BREAK = re.compile(r"[.!?;:\n]")
_WINDOW = 200  # characters of the sentence searched on each side of the acronym
_MAX_ACRONYMS = 3  # per question: each one costs a keyword lookup


def acronyms(question: str) -> list[str]:
    """The all-capital tokens of `question` (at most a few), unless it already spells them out
    in brackets after them."""
    if question.upper() == question:
        return []  # a question typed in capitals has no telling acronyms apart
    found = []
    for match in _ACRONYM.finditer(question):
        token = match.group()
        # Already defined by the question: "syndrome (SIDS)" or "SIDS (sudden ...)".
        bracketed = question[: match.start()].rstrip().endswith("(")
        if token in found or bracketed or question[match.end() :].lstrip().startswith("("):
            continue
        found.append(token)
    return found[:_MAX_ACRONYMS]


def spelled_out(question: str) -> list[tuple[str, str]]:
    """(long form, acronym) for each run of two or more capitalised words in `question` (linking
    words allowed inside), with the acronym its initials would make: documents often name a
    thing once in full and then by its acronym only ("the Clarion-Clipperton Zone (CCZ)" ...
    "The CCZ is approximately 1.7 million square miles"), so a question in full words misses
    the later sentences unless the acronym is searched too."""
    found = []
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(question)]
    i = 0
    while i < len(words):
        j = i
        run: list[tuple[str, int, int]] = []
        while j < len(words) and (
            _capitalised(words[j][0]) or (run and words[j][0].lower() in _LINKING)
        ):
            run.append(words[j])
            j += 1
        while run and run[-1][0].lower() in _LINKING:
            run.pop()
        capitals = [w for w, _, _ in run if _capitalised(w)]
        if len(capitals) >= 2 and not (i == 0 and len(capitals) == 2 and len(run) == 2):
            phrase = question[run[0][1] : run[-1][2]]
            initials = "".join(part[0] for w in capitals for part in w.split("-")).upper()
            if 2 <= len(initials) <= 8 and initials not in question:
                found.append((phrase, initials))
        i = max(j, i + 1)
    return found[:_MAX_ACRONYMS]


def _capitalised(word: str) -> bool:
    return all(part[:1].isupper() and not part.isupper() for part in word.split("-"))


def long_form(acronym: str, text: str) -> str | None:
    """The words that `acronym` stands for where `text` defines it, else None."""
    letters = list(acronym.lower())
    for match in re.finditer(rf"\b{re.escape(acronym)}\b", text):
        before = text[max(0, match.start() - _WINDOW) : match.start()]
        before = _SENTENCE_BREAK.split(before)[-1]
        after = text[match.end() : match.end() + _WINDOW].lstrip()
        bracketed = after[1 : after.find(")")] if after.startswith("(") and ")" in after else ""
        for words in (_words(before), _words(bracketed)):
            # Linking words give no letter ("Bank of England", BE) or one (BoE, "BOE").
            for linking_counts in (False, True):
                found = _spelled(letters, words, linking_counts)
                if found:
                    return found
    return None


def expand(question: str, definitions: dict[str, str]) -> str:
    """`question` with each defined acronym followed by its long form in brackets, unless the
    question already holds that long form."""
    for acronym, words in definitions.items():
        if words.lower() in question.lower():
            continue
        question = re.sub(rf"\b{re.escape(acronym)}\b", f"{acronym} ({words})", question, count=1)
    return question


def defined_in(text: str) -> dict[str, str]:
    """{acronym: long form} for each acronym `text` itself defines ("the Clarion-Clipperton Zone
    (CCZ)", or "CCZ (Clarion-Clipperton Zone)" as `expand` writes it)."""
    found = {}
    for token in dict.fromkeys(_ACRONYM.findall(text)):
        if words := long_form(token, text):
            found[token] = words
    return found


def add_acronyms(question: str, acronyms_of: dict[str, str]) -> str:
    """`question` with each long form followed by its acronym in brackets."""
    for phrase, acronym in acronyms_of.items():
        question = question.replace(phrase, f"{phrase} ({acronym})", 1)
    return question


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _spelled(letters: list[str], words: list[str], linking_counts: bool) -> str | None:
    """The last run of `words` whose capitalised words' initials (each part of a hyphenated
    word counts) are `letters`, linking words allowed inside the run."""
    for end in range(len(words), 0, -1):
        if words[end - 1].lower() in _LINKING:
            continue
        initials: list[str] = []
        for start in range(end - 1, -1, -1):
            word = words[start]
            if word.lower() in _LINKING:
                if linking_counts:
                    initials.insert(0, word[0].lower())
                continue
            parts = word.split("-")
            # Capitalised words only, not other acronyms ("GC CD" does not spell GC).
            if not all(part[0].isupper() and not part.isupper() for part in parts):
                break
            initials[:0] = [part[0].lower() for part in parts]
            if len(initials) > len(letters):
                break
            if initials == letters:
                return " ".join(words[start:end])
    return None
