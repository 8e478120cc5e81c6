"""Whom a pronoun means: a lead opening on "She" or "It" is quoted with the sentence naming whom
or what it is about, in the order the question needs, and "It's a ..." after a term's name
defines it."""

from __future__ import annotations

from pathlib import Path

import rag
from rag.answer.companions import with_antecedent
from rag.answer.extractive import _gives_asked, compose
from rag.answer.sentences import candidate_sentences
from rag.text.asks import defined_term, defines_after


def test_a_lead_opening_on_a_pronoun_is_quoted_with_whom_it_means(tmp_path: Path):
    """ "She is known for her role as Nell ..." answers "Who played Nell?" only with the sentence
    naming her: that sentence is quoted first, the nearest before it that opens on no pronoun
    (the NQ questions "Who played Raquel in Only Fools and Horses?" and two like it were missed
    so). The answer stays at three sentences at most."""
    name = "Mara Ellison (born 4 May 1961) is a Welsh actress and singer."
    stage = "She has appeared in many stage plays at the Sherman Theatre in Cardiff."
    role = "She is known for her role as Nell in the radio serial The Lantern Yard, from 1990."
    later = "Ellison later taught drama at a college in Swansea for twenty years."
    text = f"{name} {stage} {role} {later}"
    engine = rag.RAG(index=tmp_path / "index")
    passage = rag.Passage("ellison.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    question = "Who played Nell in The Lantern Yard?"
    answer = compose(question, question, [passage], engine.embedder, engine.settings)
    assert answer.text.startswith(f"{name} [1] {role} [1]"), answer.text
    assert answer.text.count("[1]") <= engine.settings.answer_sentences
    assert answer.citations[0].quote.startswith(name)


def test_a_persons_pronoun_leads_when_no_name_is_asked():
    """When the question names whom it asks about and asks no name ("How long has Agnes lived on
    the island?"), a lead opening on "She" already says what was asked: it keeps the lead, and
    its antecedent follows it (a story's long sentence about the ferry led before)."""
    ferry = "Everybody knew that when Agnes Morrow missed the ferry, she would stay the night."
    lived = "She had lived on Skarra for fifty years, ever since she came over as a teacher."
    later = "The school closed in 1998, when the last three children moved away."
    text = f"{ferry} {lived} {later}"
    passage = rag.Passage("story.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    assert [s.text for s in sentences] == [ferry, lived, later]
    kept, chosen = with_antecedent(sentences, [1, 2], [passage], 3, kinds=[])
    assert [kept[i].text for i in chosen] == [lived, ferry, later]
    kept, chosen = with_antecedent(sentences, [1, 2], [passage], 3, kinds=["name"])
    assert [kept[i].text for i in chosen] == [ferry, lived, later]


def test_what_it_is_said_after_its_name_defines_it():
    """ "It's a tiny red-brown mite ..." right after "The varroa mite, without any doubt." says
    what varroa is, as talk and explanations do: for "What is varroa?" it counts as defining
    the term (an interview's answer quoted only the line naming it); after a sentence naming
    something else, or saying what "it" does rather than is, it does not."""
    named = "RUTH: The varroa mite, without any doubt."
    says = "It's a tiny red-brown mite that lives on the bees and feeds on them."
    text = f"{named} {says}"
    passage = rag.Passage("talk.txt", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    assert [s.text for s in sentences] == [named, says]
    given = _gives_asked([], defined_term("What is varroa?"), sentences, [passage])
    assert list(given) == [0.0, 1.0]
    assert not defines_after("varroa", says, "RUTH: The weather, without any doubt.")
    assert not defines_after("varroa", "It feeds on the bees.", named)


def test_a_things_pronoun_is_followed_by_what_it_means():
    """A lead opening on "It" says what was asked itself ("It was first mapped by Tomas Reyer"):
    its antecedent is quoted right after it, and the last sentence gives way; a lead that opens
    on no pronoun is left as it was."""
    falls = "The Vennic Falls are a waterfall on the Arlo river."
    height = "They drop 40 metres in two steps."
    mapped = "It was first mapped by Tomas Reyer in 1821."
    visitors = "Visitors reach the falls from the village of Orm."
    text = " ".join([falls, height, mapped, visitors])
    passage = rag.Passage("falls.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    assert [s.text for s in sentences] == [falls, height, mapped, visitors]
    kept, chosen = with_antecedent(sentences, [2, 3, 1], [passage], 3)
    assert [kept[i].text for i in chosen] == [mapped, falls, visitors]
    assert with_antecedent(sentences, [3, 2], [passage], 3) == (sentences, [3, 2])
    kept, chosen = with_antecedent(sentences, [2], [passage], 1)
    assert [kept[i].text for i in chosen] == [mapped, falls]
    headed = f"{falls}\n\n## History\n\n{mapped}"
    passage = rag.Passage("falls.md", None, 0, len(headed), headed, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    kept, chosen = with_antecedent(sentences, [1], [passage], 3)
    assert [kept[i].text for i in chosen] == [mapped, falls]


def test_a_lists_lead_in_gives_way_with_its_item():
    """When the antecedent joins and the last quoted sentence gives way, a list's lead-in whose
    item gave way goes too: alone ("The reasons given were:") it announces nothing."""
    phone = "Since October people can also be referred by phone if they cannot reach a partner."
    why = "This was introduced because many people had no way to get to an office."
    lead_in = "The reasons given on vouchers this year were:"
    text = f"{phone} {why}\n\n{lead_in}\n\n- high housing costs: 38%\n- debt: 9%\n"
    passage = rag.Passage("report.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage], everything=True)
    at = {s.text: i for i, s in enumerate(sentences)}
    chosen = [at[why], at[lead_in], at["high housing costs: 38%"]]
    kept, chosen = with_antecedent(sentences, chosen, [passage], 3)
    assert [kept[i].text for i in chosen] == [why, phone]
    kept, chosen = with_antecedent(sentences, [at[why], at[lead_in]], [passage], 3)
    assert [kept[i].text for i in chosen] == [why, phone, lead_in]


def test_a_consequence_follows_its_cause_when_the_cause_is_asked():
    """ "That is why most coasts have two high tides a day." restates "Why are there two high
    tides a day?"; the reason is the sentence before it, which is quoted first (an explainer's
    why- and when-questions were led by the consequence). Asked what the consequence is, the
    lead keeps its place and its cause follows; the cause is the sentence right before, even
    where that opens on a pronoun."""
    bulges = "The Moon pulls the ocean into two bulges on opposite sides of the Earth."
    turns = "It turns, so a coast passes through both bulges each day."
    why = "That is why most coasts have two high tides and two low tides a day."
    later = "Each high tide comes about 50 minutes later than the day before."
    text = " ".join([bulges, turns, why, later])
    passage = rag.Passage("tides.md", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    assert [s.text for s in sentences] == [bulges, turns, why, later]
    kept, chosen = with_antecedent(sentences, [2, 3], [passage], 3, kinds=["reason"])
    assert [kept[i].text for i in chosen] == [turns, why, later]
    kept, chosen = with_antecedent(sentences, [2, 3], [passage], 3, kinds=[])
    assert [kept[i].text for i in chosen] == [why, turns, later]
    assert with_antecedent(sentences, [3, 2], [passage], 3, kinds=["reason"]) == (
        sentences,
        [3, 2],
    )
