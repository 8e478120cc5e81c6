"""Documents to Chunks: sentence-aware packing that keeps exact character offsets.

Written here rather than using llama-index's SentenceSplitter because that splitter rebuilds
chunk text from tokens and its start/end offsets are not guaranteed to index the source text;
exact offsets are what make every citation traceable to a span."""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex

from ..types import Chunk, Document
from .languages import detect

# A sentence ends at ., ! or ? (plus closing quotes/brackets), then whitespace, then something that
# can start a sentence: a capital (any cased script), a digit, or a letter of a script without
# case (Arabic, Hebrew, Devanagari, Chinese); Spanish and German openers (¿ ¡ „ «) may come first.
# Footnote numbers that PDF text glues to a word's full stop end it too ("... processing.164 In
# addition", "... doing so.1,2 A government"): 203 of the 238 in the shared seabed-mining PDF
# follow a lower-case letter, 21 a bracket, and SciFact has them in 17 abstracts. After an
# acronym or a year they end one only before a capital ("... in ABNJ.14 The ISA", "... in
# 2026.165 Some stakeholders"): 36 more in the seabed-mining PDF, two in SciFact ("since 1992.1
# Such", where "from 2048.18 (95% CI" is a decimal), and none in NQ's, XQuAD's or this project's
# documents. After other digits they are left alone: "version 1.2 Draft", "a 2.4 GHz radio".
# An FAQ written inline in markdown asks in bold ("**Can I sell part of a cargo?** No. A ship
# ..."): the bold question ends its sentence, so the answer after it is quoted without it; and a
# sentence may open in bold ("... turn ends. **Can I ...").
# Scripts with their own marks end a sentence at them, followed by a space or not: Chinese and
# Japanese 。！？, the Devanagari danda ।, the Arabic question mark ؟ and the Urdu full stop ۔.
# A footnote number glued to a full stop, and the stops after which it is one for sure: a
# lower-case word's, a bracket's or a quote's.
_FOOTNOTE_NUMBER = r"\d{1,3}(?:[,–-]\d{1,3})*"
_AFTER_WORD_STOP = r"(?<=[a-z)\]\"”’][.!?\"”’)\]])"
_SENTENCE_END = regex.compile(
    r"[.!?…]+[\"'”’)\]]*(?:(?<=\?)\*\*|(?<=\?)__)?"
    rf"(?:{_AFTER_WORD_STOP}{_FOOTNOTE_NUMBER})?"
    r"(?=\s+(?:\*\*|__)?[\"'“‘„«¿¡(\[]?[\p{Lu}\p{Lt}\p{Lo}\p{N}])"
    rf"|(?<=(?<![\w.])(?:[A-Z][A-Za-z]*[A-Z]|(?:19|20)\d\d))\.{_FOOTNOTE_NUMBER}"
    r"(?=\s+[\"'“‘]?\p{Lu})"
    r"|[。！？｡]+[」』）”’]*(?=.)"
    r"|[।॥؟۔]+[\"'”’)\]]*(?=\s)"
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs etc inc ltd co corp no nos fig figs eq vol pp al approx dept "
    "gen gov sen rep jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e u.s u.k u.n".split()
)
# German and Spanish abbreviations that come before a capital or a number ("30 Mio. GBP", "EE.
# UU." for the USA, "Nr. 81"), matched as written: "NR." and "CA." end English sentences.
_WRITTEN_ABBREVIATIONS = frozenset(
    "ca bzw vgl usw Mio Mrd Nr Jh Jhd evtl ggf inkl sog aprox Sra Srta núm pág EE".split()
)
# An initial: one letter with its marks ("J.", Hindi's "के." for K). In scripts whose sentences
# end at a danda, a full stop after two letters is one too ("एस." for S): of the 39 full stops in
# XQuAD's Hindi paragraphs that follow a word of one or two letters, all are initials or
# ellipses.
_INITIAL = regex.compile(r"\p{L}\p{M}*")
_DANDA_INITIAL = regex.compile(
    r"(?:[\p{Devanagari}\p{Bengali}\p{Gurmukhi}\p{Gujarati}\p{Oriya}\p{Tamil}\p{Telugu}"
    r"\p{Kannada}\p{Malayalam}\p{Sinhala}]\p{M}*){1,2}"
)
_SECTION_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3})*")
# Dotted initialisms such as "E.O." or "D.C." (the last letter's period is the one tested).
_INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]")
# Languages that write an ordinal number with a full stop ("am 7. Januar", "im 19. Jahrhundert",
# "19. yüzyıl"): in their text a full stop right after a number of one to three digits is an
# ordinal's, not a sentence's end. In XQuAD's German paragraphs 39 of the 43 such stops followed
# by a capital are ordinals ("Sauerstoff-18." ends a sentence: a number after a hyphen is left
# alone); in its Spanish and English paragraphs all 32 end a sentence.
_ORDINAL_STOP_LANGUAGES = frozenset(
    "de da no nb nn fi cs sk pl hu tr hr sr sl bs lv et is fo".split()
)
_ORDINAL = re.compile(r"(?<![\w.,\-–/])\d{1,3}\.$")
_LIST_ITEM = re.compile(r"^([-*•+]|\d{1,3}[.)]|#{1,6})\s")
# A reStructuredText section adornment or a rule: one punctuation character repeated (a line of
# "=", "-", "~" or apostrophes). It ends a block, and so does the line it underlines, so a
# heading longer than a short line never runs into the paragraph after it.
ADORNMENT = re.compile(r"^([=\-~^'`\"#*+.:_])\1{2,}$")
_LINE_END_PUNCT = tuple('.!?:;"”’)]')
# A markdown code fence line: what lies between two is code.
FENCE = "```"
# A line this short that is followed by a line break is taken as a heading or list item, not as
# a line wrapped mid-sentence (wrapped PDF lines are typically 60-100 characters), unless the
# next line goes on in lower case: a narrow column's lines are shorter ("In 2018, President
# Putin stated that Russia was\ndeveloping new capabilities").
_SHORT_LINE = 50
_CONTINUES = re.compile(r"[ \t]*[a-z]")
# Nor does a short line that ends on a word no title ends with: a chunk that starts inside a
# wrapped line has a short first line ("Western analysts have debated the credibility of" /
# "Putin's nuclear threats and signaling." was cut in two in a chunk of a two-column PDF).
_OPEN_END = re.compile(
    r"\b(?:of|the|a|an|and|or|nor|but|to|in|into|for|with|on|at|by|from|that|which|who|as|than"
    r"|is|are|was|were|be|been|has|have|had|its|their|his|her|our|this|these|those|not)$"
)

# A line that opens on a date and a time, or a bracketed time, is a record of its own: a chat
# export's message ("21/03/2026, 13:41 - Tom: Summit!"), a log's entry, an IRC line. Messages
# rarely end in a full stop, so without this one ran into the next and a quote began mid-message
# under another sender's name and time. A short one is one sentence: its later sentences alone
# lose who said them and when ("14.6 km in 7 hours 20 including lunch").
STAMPED = re.compile(
    r"[ \t]*\[?(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}[,\sT]+\d{1,2}:\d{2}|\d{1,2}:\d{2}(?::\d{2})?\])"
)
_SHORT_RECORD = 300  # characters
# A markdown table's row: answers read each as a sentence (`answer.sentences`).
TABLE_ROW = re.compile(r"[ \t]*\|.*\|[ \t]*$")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in `text[start:end]`, trimmed of surrounding space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    ordinals: bool | None = None  # whether the text writes ordinals with a full stop: asked once
    for block_start, block_end in _blocks(text, start, end):
        if block_end - block_start <= _SHORT_RECORD and STAMPED.match(text, block_start):
            spans.append((block_start, block_end))
            continue
        cut = block_start
        for match in _SENTENCE_END.finditer(text, block_start, block_end):
            if _is_abbreviation(text, block_start, match.start()):
                continue
            if match.group() == "." and _ORDINAL.search(text, block_start, match.start() + 1):
                if ordinals is None:
                    ordinals = detect(text[start:end]) in _ORDINAL_STOP_LANGUAGES
                if ordinals:
                    continue
            spans.append((cut, match.end()))
            cut = match.end()
        spans.append((cut, block_end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def chunk_document(document: Document, size: int, overlap: int) -> list[Chunk]:
    """Pack consecutive sentences into chunks of at most `size` characters, repeating up to
    `overlap` characters of trailing sentences at the start of the next chunk. Chunks never cross
    a page boundary, so each chunk has one page number."""
    if size <= 0 or overlap < 0 or overlap >= size:
        raise ValueError(f"chunk_size must be > chunk_overlap >= 0 (got {size} and {overlap})")
    text = document.text
    # One language per document: a chunk alone can be too short to tell (a table row read as
    # Italian lost its English stems), and documents are rarely in two.
    middle = len(text) // 2
    language = detect(text[:1000] + "\n" + text[middle : middle + 1000])
    chunks: list[Chunk] = []
    for page in document.pages:
        pieces = [
            piece
            for span in sentence_spans(text, page.start, page.end)
            for piece in _split_long(text, span, size)
        ]
        for first, last in _pack(pieces, size, overlap):
            start, end = pieces[first][0], pieces[last][1]
            chunks.append(
                Chunk(document.source, page.number, start, end, text[start:end], language)
            )
    return chunks


def _pack(pieces: list[tuple[int, int]], size: int, overlap: int) -> Iterator[tuple[int, int]]:
    """Yield (first, last) piece indexes of each chunk."""
    first = 0
    while first < len(pieces):
        last = first
        while last + 1 < len(pieces) and pieces[last + 1][1] - pieces[first][0] <= size:
            last += 1
        yield first, last
        if last == len(pieces) - 1:
            return
        # Step back over whole trailing sentences that fit in the overlap, always moving forward.
        nxt = last + 1
        while nxt - 1 > first and pieces[last][1] - pieces[nxt - 1][0] <= overlap:
            nxt -= 1
        first = nxt


def _blocks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split into runs of lines that belong together: blank lines, list items, headings and lines
    ending in punctuation end a block; a long line without end punctuation continues (wrapped)."""
    block_start = start
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        if newline == -1:
            break
        line = text[pos:newline].strip()
        next_line_start = newline + 1
        next_end = text.find("\n", next_line_start, end)
        next_line = text[next_line_start : end if next_end == -1 else next_end]
        if (
            not line
            or (line.endswith(_LINE_END_PUNCT) and not _wrapped_clause(line, next_line))
            or (
                len(line) < _SHORT_LINE
                and not _CONTINUES.match(next_line)
                and not _OPEN_END.search(line)
            )
            or not next_line.strip()
            or _LIST_ITEM.match(next_line.strip())
            or STAMPED.match(next_line)
            or ADORNMENT.match(line)
            or ADORNMENT.match(next_line.strip())
        ):
            yield block_start, newline
            block_start = next_line_start
        pos = next_line_start
    yield block_start, end


def _wrapped_clause(line: str, next_line: str) -> bool:
    """Whether a line ending in ";" or ":" was wrapped mid-sentence: the next line goes on in
    lower case ("The kitchen is shared;" / "label your food ..." is one sentence, as markdown
    renders it)."""
    return line.endswith((";", ":")) and _CONTINUES.match(next_line) is not None


# A footnote number that ends a sentence (the marks `_SENTENCE_END` cuts after): shown to a
# reader beside the answer's own [n] it reads as part of the citation ("minerals.166 [1]").
# After a year it is left: "IDEA 2023.1" is a version as often.
_FOOTNOTE_MARK = regex.compile(
    rf"(?:{_AFTER_WORD_STOP}|(?<=(?<![\w.])[A-Z][A-Za-z]*[A-Z]\.)){_FOOTNOTE_NUMBER}$"
)


def footnote_mark(sentence: str) -> int:
    """Where a footnote number glued to `sentence`'s final stop begins ("... critical
    minerals.166"), or its length when it ends without one ("... see Fig.3" ends on a figure's
    number, after an abbreviation)."""
    found = _FOOTNOTE_MARK.search(sentence.rstrip())
    if found is None or _is_abbreviation(sentence, 0, found.start() - 1):
        return len(sentence)
    return found.start()


def _is_abbreviation(text: str, block_start: int, period: int) -> bool:
    """True when the '.' at `period` ends an abbreviation or an initial, not a sentence."""
    if text[period] != ".":
        return False
    word_start = period
    while word_start > block_start and not text[word_start - 1].isspace():
        word_start -= 1
    # "[" too: markdown links often open on one ("[H.R. 664](...) would authorize").
    written = text[word_start:period].lstrip("([\"'“‘")
    word = written.lower()
    opens_block = not text[block_start:word_start].strip()
    return (
        word in _ABBREVIATIONS
        or written in _WRITTEN_ABBREVIATIONS
        # A list item's or a section's number ("2. ACCOMMODATION", "3.1. Setup") is part of it.
        or (opens_block and _SECTION_NUMBER.fullmatch(word) is not None)
        or _INITIAL.fullmatch(word) is not None
        or _DANDA_INITIAL.fullmatch(word) is not None
        or _INITIALISM.fullmatch(word) is not None
    )


def _split_long(text: str, span: tuple[int, int], size: int) -> Iterator[tuple[int, int]]:
    """Cut a sentence longer than `size` at whitespace (or hard, if it has none)."""
    start, end = span
    while end - start > size:
        cut = text.rfind(" ", start + 1, start + size)
        cut = cut if cut > start else start + size
        if piece := _trim(text, start, cut):
            yield piece
        start = cut
    if piece := _trim(text, start, end):
        yield piece


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
