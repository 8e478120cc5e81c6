"""What an answer says when the documents do not answer: that they do not cover the question,
that they cover its topic but not the measure it asks for (a near miss), or that they never
mention a name it asks about; with the closest passages shown as related, not as an answer."""

from __future__ import annotations

from ..types import Answer, Passage

# How many of the closest passages a not-found answer names and shows.
CLOSEST_SHOWN = 3

# How a near miss names what is missing (measures.measure's names; a unit names itself).
_MISSING = {
    "money": "give the sum of money asked for",
    "worth": "say what it is worth",
    "duration": "say how long",
    "time elapsed": "say how long",
    "percent": "give the percentage asked for",
    "clock time": "give the time of day asked for",
    "date": "say when",
    "age": "say how old",
    "chair": "say who chairs it",
    "person": "say who",
    "difference": "say by how much",
    "energy": "give the amount of energy asked for",
    "data size": "give the size in bytes asked for",
    "phone number": "give the phone number asked for",
    "email address": "give the email address asked for",
}


def not_found(
    question: str,
    searched: str,
    closest: list[Passage],
    missing: str | None = None,
    unmentioned: list[str] | None = None,
) -> Answer:
    """The answer saying the documents do not answer `question` (searched as `searched`): with
    the measure a near miss lacks (`missing`, measures.measure's name), or the names no
    document mentions (`unmentioned`, from `unmentioned.unmentioned_names`), named."""
    text = "Your documents do not seem to cover this."
    if missing:
        what = _MISSING.get(missing, f"give the number of {missing} asked for")
        text = f"Your documents cover this topic but do not seem to {what}."
    if unmentioned:
        names = " or ".join(f"“{name}”" for name in unmentioned)
        text = f"Your documents do not mention {names}."
    if closest:
        names = ", ".join(dict.fromkeys(_label(p) for p in closest))
        text += f" The closest passages were in {names}, but none of them answers it."
    return Answer(
        question=question,
        text=text,
        found=False,
        citations=[],
        closest=closest,
        searched=searched,
        missing=missing or " ".join(unmentioned or []),
    )


def _label(passage: Passage) -> str:
    return passage.source if passage.page is None else f"{passage.source} (page {passage.page})"
