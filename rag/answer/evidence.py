"""Whether a retrieved passage bears on the question enough to answer from it, or the answer
says the documents do not cover it (docs/answers.md, "How abstention is chosen")."""

from __future__ import annotations

from ..settings import Settings
from ..types import Passage

# A passage holding every keyword of the question (its IDF-weighted coverage this close to 1) is
# evidence at this similarity or more, however low it is under the floor: "Priya Chandran,
# Managing Director of Fenwick Valley Buses, said: ..." reads 0.16 for "Who is the managing
# director?", its long quotation outweighing the role. On the eighteen long-document sets, 188
# of the 193 questions whose best passage holds all their keywords are answerable, and the five
# near misses among them read 0.49 or more, above the floor anyway (docs/benchmarks.md,
# twenty-eighth session).
_ALL_KEYWORDS = 0.99
_ALL_KEYWORDS_SIMILARITY = 0.1


def is_evidence(passage: Passage, settings: Settings, floor: float | None = None) -> bool:
    """Whether a passage bears on the question enough to answer from: its `evidence` reaches
    `floor` (`min_score` unless given; an open question's is `open_min_score`), or, where
    keywords count at all (`coverage_weight`), it holds every keyword of the question and is
    not unrelated in meaning."""
    similarity = max(passage.similarity, passage.sentence_similarity)
    if (
        settings.coverage_weight > 0
        and passage.coverage >= _ALL_KEYWORDS
        and similarity >= _ALL_KEYWORDS_SIMILARITY
    ):
        return True
    return evidence(passage, settings) >= (settings.min_score if floor is None else floor)


def evidence(passage: Passage, settings: Settings) -> float:
    """How strongly a passage bears on the question, on a scale that means the same for every
    query (unlike the fused rank score): embedding similarity (the passage's, or its closest
    sentence's when that is higher: one sentence of a long passage can answer while the whole
    embeds weakly) plus weighted keyword coverage. Coverage is what rescues questions that embed
    weakly but name what the passage names (a rare term, a project's name, "What is Gwadar?");
    the weight and threshold are chosen on data (bench/calibrate.py)."""
    similarity = max(passage.similarity, passage.sentence_similarity)
    return similarity + settings.coverage_weight * passage.coverage
