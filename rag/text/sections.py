"""A document's headings and the section path at any offset ("Guide > Binary data"), so each
passage knows where in its document it stands: citations show it, a sentence counts its
section's words as its own when its passage holds no heading, and "What does the guide say
about <section>?" finds the section to summarise.

Headings are read from the extracted text: markdown's `#` lines and underlined titles,
reStructuredText's adornments (levels in the order their styles first appear, as docutils
ranks them), and, in documents with neither (HTML, DOCX, PDF and plain text reach us as lines),
a short line standing alone between blank lines that does not end like a sentence (a section
number before it, "4.1 Annual leave", nests it one level per number), or one in capitals after
a blank line ("SKILLS" over a CV's "Languages: Python, SQL, R.")."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .chunking import ADORNMENT, FENCE

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_LIST_OR_TABLE = re.compile(r"^(?:[-*•+|>]|\d{1,3}[.)])\s")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")  # an identifier's "_" stays
_MAX_TITLE = 100  # characters: a longer line is a paragraph, whatever follows it
_PLAIN_TITLE_WORDS = 10
_SENTENCE_END = tuple(".,;:!?\"'”’")
# A line of capitals (two letters or more, none in lower case): "PROFILE", "WORK EXPERIENCE".
_CAPITALS = re.compile(r"[^a-z]*[A-Z][^a-z]*[A-Z][^a-z]*")
# A section's number before its title ("4.1 Annual leave"), one level per number in it.
_NUMBERED = re.compile(r"(\d{1,3}(?:\.\d{1,3})*)\.?\s+(?=[A-Z])")


@dataclass(frozen=True)
class Heading:
    """A heading at `start` in its document's text, of `level` (1 is the outermost)."""

    start: int
    level: int
    title: str


def headings(text: str) -> list[Heading]:
    """The headings of a document's extracted `text`, in order."""
    lines = _lines(text)
    marked = _marked(lines)
    return marked if marked else _plain(lines)


def _lines(text: str) -> list[tuple[int, str, bool]]:
    """(start, line, inside a code fence) for each line of `text`."""
    found = []
    start, fenced = 0, False
    for line in text.split("\n"):
        is_fence = line.lstrip().startswith(FENCE)
        found.append((start, line, fenced or is_fence))
        if is_fence:
            fenced = not fenced
        start += len(line) + 1
    return found


def _marked(lines: list[tuple[int, str, bool]]) -> list[Heading]:
    found: list[Heading] = []
    styles: list[tuple[str, bool]] = []  # adornment styles in order of first appearance
    for n, (start, line, code) in enumerate(lines):
        if code:
            continue
        if atx := _ATX.match(line):
            found.append(Heading(start, len(atx.group(1)), _title(atx.group(2))))
            continue
        below = lines[n + 1] if n + 1 < len(lines) else None
        stripped = line.strip()
        if (
            below is None
            or below[2]
            or not stripped
            or len(stripped) > _MAX_TITLE
            or ADORNMENT.match(stripped)
            or _LIST_OR_TABLE.match(stripped)
        ):
            continue
        adornment = ADORNMENT.match(below[1].strip())
        if not adornment or len(below[1].strip()) < min(len(stripped), 3):
            continue
        above = lines[n - 1][1].strip() if n else ""
        # A paragraph's last line above a rule is not a title: a title stands alone above it.
        if above and not ADORNMENT.match(above):
            continue
        style = (adornment.group(1), bool(above))
        if style not in styles:
            styles.append(style)
        found.append(Heading(start, styles.index(style) + 1, _title(stripped)))
    return found


def _plain(lines: list[tuple[int, str, bool]]) -> list[Heading]:
    found = []
    for n, (start, line, _code) in enumerate(lines):
        stripped = line.strip()
        above = lines[n - 1][1].strip() if n else ""
        below = lines[n + 1][1].strip() if n + 1 < len(lines) else ""
        words = stripped.split()
        numbered = _NUMBERED.match(stripped)
        if (
            stripped
            and not above
            and (not below or _CAPITALS.fullmatch(stripped))
            and len(words) <= _PLAIN_TITLE_WORDS
            and not stripped.endswith(_SENTENCE_END)
            and (stripped[0].isupper() or numbered)
            # A list item standing alone is one in capitals only ("1. ARRIVING").
            and (not _LIST_OR_TABLE.match(stripped) or _CAPITALS.fullmatch(stripped))
        ):
            level = numbered.group(1).count(".") + 1 if numbered else 1
            found.append(Heading(start, level, _title(stripped)))
    return found


def _title(text: str) -> str:
    return " ".join(_EMPHASIS.sub("", _LINK.sub(r"\1", text)).split())


class Outline:
    """The section path at any offset of one document, from its headings."""

    def __init__(self, found: list[Heading]) -> None:
        self._starts = [h.start for h in found]
        self._paths: list[tuple[str, ...]] = []
        stack: list[Heading] = []
        for heading in found:
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            stack.append(heading)
            self._paths.append(tuple(h.title for h in stack))
        self.headings = found

    def path(self, offset: int) -> tuple[str, ...]:
        """The titles of the sections holding `offset`, outermost first (a heading starting
        at `offset` counts)."""
        n = bisect.bisect_right(self._starts, offset)
        return self._paths[n - 1] if n else ()

    def paths(self, start: int, end: int) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """(offset, path) at `start` and at each heading after it before `end`."""
        first = bisect.bisect_right(self._starts, start)
        last = bisect.bisect_left(self._starts, end)
        inside = tuple((self._starts[n], self._paths[n]) for n in range(first, last))
        return ((start, self.path(start)), *inside)

    def span(self, n: int) -> tuple[int, int | None]:
        """Where section `n` (an index into `headings`) starts and ends: at the next heading of
        its level or an outer one (None: the document's end)."""
        level = self.headings[n].level
        for later in self.headings[n + 1 :]:
            if later.level <= level:
                return self.headings[n].start, later.start
        return self.headings[n].start, None
