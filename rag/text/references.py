"""Bibliographic references and notes: sentences that share a question's words but answer
nothing (footnotes, reference lists, notes tables, cross-references). Answer composition never
quotes them, and retrieval ranks a passage made mostly of them below the passages that speak."""

from __future__ import annotations

import re

from .chunking import sentence_spans
from .markup import reader_view

# A markdown link counts as its label: "- [Introduction](#intro)" is a contents line, though it
# ends with a bracket as a sentence may.
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")  # a link's target whose label began a sentence earlier
# Bibliographic references (footnotes, reference lists, figure sources) share a question's words
# but answer nothing: "Lisa Levin et al., “Defining ‘Serious Harm’ ...,” Marine Policy, vol. 74
# (2016), pp. 245-259." A sentence is one when it carries a marker of a reference; a URL counts
# only beside a quoted title ("The software is available at https://..." can be an answer).
# Wikipedia's citation lists break into fragments ('"Dabbling Ducks".', "CWE."), so a short
# sentence on a line with a marker, or on a line opening with its "^ ", is one too. Chosen on
# data: these flag 2 of 9,350 NQ sentences, 9 of the first 2,000 SciFact abstracts' 17,000, none
# of seeds/, 6 of the CRS reports' 644 body sentences (figure source lines), and 203 of the 268
# sentences of wiki_duck.html's reference lists; the CRS report's footnotes are half references,
# half remarks that can answer (186 of 375 flagged).
_REFERENCE_MARK = re.compile(
    r"\b(?:Retrieved|[Aa]ccessed|Archived)\b.{0,40}\d{4}|\bISBN\b|\bPMID\b|\bdoi:|\bhdl:"
    r"|\bhereinafter\b|\bIbid\b|\bpp?\.\s?\d|\bvol\.\s?\d|\bet al\.,|\d Federal Register \d",
    re.S,
)
_URL = re.compile(r"https?://|\bwww\.")
URL_WORD = re.compile(r"\S*(?:https?://|www\.)\S*")
_QUOTED_TITLE = re.compile(r"[“\"][^”\"]{3,}[”\"]")
_CITATION_LIST_ITEM = "^ "
# A markdown link reference definition ("[#454]: https://...") is a reference too.
_LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S")
# A cross-reference ("See CRS Insight IN12640.", "In particular, see ...") points elsewhere.
_SEE_ALSO = re.compile(r"^\(?(?:In particular, |For more(?: information)?, )?[Ss]ee\b")
# A numbered note in a table of notes ("| 199. | ISA, Polymetallic Nodules, ...").
_NOTE_ROW = re.compile(r"^\|\s*\d+\.?\s*\|")
_REFERENCE_FRAGMENT_WORDS = 8


# A line of nothing but links (a table of contents, a site's menu, breadcrumbs): "- [Background
# on Seabed Mining](https://...#_Toc227333935)" names every topic of a report and answers none.
_NAVIGATION_LEFT = re.compile(r"[\W_]*")
# A printed table of contents' dot leaders ("Introduction ........ 1"), as PDF text gives them:
# found in the shared seabed-mining PDF's contents (26) and 3 SciFact abstracts' front matter,
# never in prose of NQ, SciFact or the shared documents (an ellipsis has 3 or 4 dots).
_DOT_LEADER = re.compile(r"\.{5,}|(?:\. ){4,}|…{2,}")


def is_reference(sentence: str, line: str) -> bool:
    """Whether `sentence` (on `line` of its passage) is part of a bibliographic reference, of a
    line of links, or of a table of contents."""
    if MARKDOWN_LINK.search(line) and _NAVIGATION_LEFT.fullmatch(MARKDOWN_LINK.sub("", line)):
        return True
    if _DOT_LEADER.search(sentence):
        return True
    sentence, line = (_LINK_TARGET.sub("]", MARKDOWN_LINK.sub(r"\1", t)) for t in (sentence, line))
    if _REFERENCE_MARK.search(sentence) or (
        _URL.search(sentence) and _QUOTED_TITLE.search(sentence)
    ):
        return True
    if line.lstrip().startswith(_CITATION_LIST_ITEM) or _LINK_DEFINITION.match(line):
        return True
    if _SEE_ALSO.match(sentence) or _NOTE_ROW.match(line.lstrip()):
        return True
    return len(sentence.split()) < _REFERENCE_FRAGMENT_WORDS and bool(_REFERENCE_MARK.search(line))


# Literal text that every mark `is_reference` looks for contains: a text with none of them holds
# no reference, and most chunks have none, so their sentences need not be judged one by one (a
# SciFact search spent ~12 ms on it, most of it in _REFERENCE_MARK). Keep in step with the
# patterns above.
_MARK_TEXTS = (
    *("Retrieved", "ccessed", "Archived", "ISBN", "PMID", "doi:", "hdl:", "hereinafter", "Ibid"),
    *("p.", "vol.", "et al.,", "Federal Register", "http", "www.", "..", ". .", "…"),
    *("](", "]:", "^ ", "|", "See", "see"),
)


def reference_share(text: str) -> float:
    """The share of `text`'s visible sentence characters (markup and URLs left out) that
    belong to references (0 for prose; a report's notes table or a reference list is nearly
    1)."""
    if not any(mark in text for mark in _MARK_TEXTS):
        return 0.0
    seen = reader_view(text)
    total = flagged = 0
    for start, end in sentence_spans(text):
        line_end = text.find("\n", end)
        line = text[text.rfind("\n", 0, start) + 1 : len(text) if line_end < 0 else line_end]
        # Counted as a reader sees it: a menu's URLs must not outweigh the sentence beside it.
        size = end - start - seen.count(" ", start, end)
        total += size
        if is_reference(text[start:end], line):
            flagged += size
    return flagged / total if total else 0.0
