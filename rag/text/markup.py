"""Text as a reader sees it: markdown and reStructuredText markup blanked out, offsets kept.
The embedding model reads this view, and answer composition judges sentences by it."""

from __future__ import annotations

import re

# Markup is blanked out with spaces of the same length, so every character offset (and the
# sentence spans pooled from token offsets) stays the source's. Link targets, URLs, reference
# labels, code ticks, emphasis stars, heading hashes, table rules and reStructuredText underlines
# mean nothing to the model but took token slots and pulled vectors apart: "This project is
# currently maintained by [Saurabh Kumar][homepage] and ..." scored -0.04 against "Who maintains
# python-dotenv?", 0.38 without them (docs/answers.md).
# Bump when what is blanked changes: every file is embedded again at the next sync.
VIEW_VERSION = 1
_MARKUP = re.compile(
    r"^[ \t]*\[[^\]\n]+\]:[ \t]*\S.*$"  # a link definition: "[id]: https://..."
    r"|\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)"  # a link's target: "](https://... "title")"
    r"|(?<=\])\[[^\]\n]*\]"  # a reference link's label: "[text][id]"
    r"|!?\[(?=[^\]\n]*\](?:\(|\[))"  # the bracket opening a link's text
    r"|\](?=[ \t]*(?:\(|\[))"  # and the one closing it
    r"|<?(?:https?://|www\.)[^\s<>()\[\]]*>?"  # a bare URL
    r"|`+_{0,2}"  # code ticks, and a reStructuredText reference's trailing underscore
    r"|\*{1,3}(?=\S)|(?<=\S)\*{1,3}"  # emphasis
    r"|^[ \t]*#{1,6}(?=\s)"  # a heading's hashes
    r"|^[ \t]*([=\-~^'\"#*+.:_|])\1{2,}[ \t]*$"  # a rule or underline
    r"|^[ \t|:\-]*\|[ \t|:\-]*$"  # a table's rule row
    r"|\|",  # a table's cell bars
    re.MULTILINE,
)


def reader_view(text: str) -> str:
    """`text` with its markup blanked out, character for character: what a reader sees, and
    what the model embeds."""
    return _MARKUP.sub(lambda m: " " * len(m.group()), text)
