"""What a question asks for and whether a sentence gives it: how often something happens, a time
of day or a time counted from another as the answer to "when", what is a way of doing (and what
is only a way through a place), what answers a yes-or-no question, and what replaced a thing."""

from __future__ import annotations

from pathlib import Path

import rag
from rag.answer.extractive import compose
from rag.text.asks import asked_kinds, gives, restates

from .conftest import indexed_one, two_sentences


def test_how_often_asks_for_a_frequency_not_any_number():
    """A "How often ...?" question is answered by "once a week" or "every 10 seconds", not by
    the number in "Year 2" (it asked for a quantity until 2026-12-05, which any digit gave)."""
    assert asked_kinds("How often should we check for head lice?") == ["frequency"]
    assert asked_kinds("How frequently is the filter cleaned?") == ["frequency"]
    assert "frequency" in asked_kinds("How many times a day can I take them?")
    assert gives(["frequency"], "Please check your child's hair once a week.")
    assert gives(["frequency"], "The autosave interval was shortened to 10 seconds.")
    assert gives(["frequency"], "The committee walks the site four times a year.")
    assert not gives(["frequency"], "We have had several cases of head lice in Year 2.")
    assert gives(["frequency"], "Water it once or twice a month.")
    assert not gives(["frequency"], "Back up first: once converted, notes cannot be opened.")


def test_what_a_thing_is_used_for_is_no_method():
    """A question like "How does ibuprofen reduce pain?" asks how it works: "is used for the
    relief of headache" says what it is for, "work by reducing ..." how."""
    assert asked_kinds("How does ibuprofen reduce pain?")[0] == "method"
    assert not gives(["method"], "Dosafen is used for the relief of headache and backache.")
    assert not gives(["method"], "It is used to reduce a high temperature.")
    assert gives(["method"], "These medicines work by reducing the amount of prostaglandins.")
    assert gives(["method"], "The crew used a winch to lift the collector.")


def test_a_way_through_or_via_a_place_is_no_method():
    """The words "through" and "via" mostly say which way something goes: "Do not throw away
    medicines via waste water" led "How should the tablets be stored?" over "Store below 25 °C
    ...", and the pipe a slurry is returned via led "How would nodules be picked up?"."""
    assert not gives(["method"], "Do not throw away medicines via waste water.")
    assert not gives(["method"], "A bolt screwed through the load-carrying section.")
    assert gives(["method"], "Nodules are lifted by pumping them up a riser.")


def test_a_time_of_day_or_a_time_counted_from_another_answers_when():
    """A question like "When can residents use the machines?" is answered by "between 7 am and
    10 pm", "When does check-in open?" by "36 hours before departure", and "When will the deposit
    be returned?" by "within 14 days of the event". A decimal, or a span alone, is no time."""
    assert gives(["date"], "The machines may only be used between 7 am and 10 pm.")
    assert gives(["date"], "Doors open at 18:30.")
    assert gives(["date"], "The office is staffed from 9 AM to 5 P.M. on weekdays.")
    assert gives(["date"], "Check-in opens online 36 hours before departure.")
    assert gives(["date"], "She came back two weeks later.")
    assert gives(["date"], "The deposit will be returned within 14 days of the event.")
    assert not gives(["date"], "The machines are noisy late at night.")
    assert not gives(["date"], "The tank holds 3.5 litres.")
    assert not gives(["date"], "Please reply within two days.")


def test_a_how_often_question_is_led_by_the_sentence_giving_the_frequency(tmp_path: Path):
    """Both sentences are quoted; the one saying how often leads, though the other repeats
    more of the question's words."""
    first = "Cleaning the filter of the garden pond pump is a job many owners forget."
    second = "Rinse it under the tap once a fortnight in summer, and once a month in winter."
    answer = _two_sentence_answer(
        tmp_path, "How often should the pond pump filter be cleaned?", first, second
    )
    assert answer.text.startswith("Rinse it"), answer.text
    assert first in answer.text


def test_a_yes_or_no_question_is_answered_by_the_sentence_saying_it():
    """The sentence "Time off for antenatal appointments is paid." holds only the words of "Is
    time off for antenatal appointments paid?", and is its answer: it was dropped as a line
    restating the question, and the answer quoted the sentences around it."""
    question = "Is time off for antenatal appointments paid?"
    assert not restates(question, "Time off for antenatal appointments is paid.", "en")
    assert restates("How does China view these deals?", "Memo on China and the deals.", "en")


def test_the_yes_or_no_answer_is_quoted(tmp_path: Path):
    """End to end, from a staff handbook: the sentence saying it is paid is quoted."""
    policy = (
        "4.5 Other leave\n\nMedical appointments: where possible, book them outside working "
        "hours or at the start or end of the day. Time off for antenatal appointments is paid. "
        "Jury service: you will receive your normal pay for up to ten working days.\n"
    )
    engine = indexed_one(tmp_path, "policy.txt", policy)
    answer = engine.query("Is time off for antenatal appointments paid?")
    assert "Time off for antenatal appointments is paid." in answer.text, answer.text


def test_what_replaced_a_thing_asks_for_its_replacement():
    """A question "What replaced X?" asks for what came in X's place: "X was removed." restates
    it and says nothing of what replaced it (a changelog's "Use Y instead", a newsletter's "It is
    being replaced by Y" do)."""
    assert asked_kinds("What replaced the legacy Markdown export?") == ["replacement"]
    assert "replacement" in asked_kinds("Who succeeded her as head teacher?")
    assert "replacement" not in asked_kinds("When did they replace lead with graphite?")
    assert "replacement" not in asked_kinds("Which filter should I replace first?")
    assert "replacement" in asked_kinds("What will the old hall be replaced with?")
    assert gives(["replacement"], "Use the new spreadsheet importer instead.")
    assert gives(["replacement"], "It is being replaced by a new library building.")
    assert gives(["replacement"], "Ms Adeyemi will take over the choir in May.")
    assert not gives(["replacement"], "The old CSV importer was removed in this release.")
    question = "What replaced the old CSV importer?"
    assert restates(question, "The old CSV importer was removed.", "en")


def test_a_replacement_question_is_led_by_what_replaced_it(tmp_path: Path):
    """A changelog's "X was removed." only repeats "What replaced X?" and is not quoted as its
    answer: it led, and the sentence naming the replacement came second."""
    first = "The old CSV importer was removed."
    second = "Use the spreadsheet importer instead, which reads both .csv and .xlsx files."
    answer = _two_sentence_answer(tmp_path, "What replaced the old CSV importer?", first, second)
    assert answer.text.startswith("Use the spreadsheet importer"), answer.text


def test_a_how_question_is_not_led_by_a_way_through_a_place(tmp_path: Path):
    """A leaflet's storage line leads "How should the tins be stored?", not the line saying
    what not to pour down the drain."""
    first = "Never pour leftover paint from the tins via the sink or the drains."
    second = "Store the tins upside down on a shelf in a dry shed."
    answer = _two_sentence_answer(tmp_path, "How should the paint tins be stored?", first, second)
    assert answer.text.startswith("Store the tins"), answer.text


def _two_sentence_answer(tmp_path: Path, question: str, first: str, second: str) -> rag.Answer:
    """The extractive answer to `question` from one passage holding `first` then `second`, up to
    two sentences quoted."""
    engine, passage, settings = two_sentences(tmp_path, first, second)
    return compose(question, question, [passage], engine.embedder, settings)


def test_an_ordinal_word_gives_a_count_and_a_fraction_does_not():
    # The Nth goal of a season says how many there were, as "her 14th" did; a line holding one
    # was dropped as only restating "How many league goals has Thorpe scored this season?".
    sentence = "It was Thorpe's fourteenth league goal of the season."
    assert gives(["count"], sentence)
    assert not restates("How many league goals has Thorpe scored this season?", sentence, "en")
    assert not gives(["count"], "Many were spending a fifth of their wages on getting to work.")
    assert not gives(["count"], "She was first to the ball and won the second ball too.")


def test_what_happens_asks_for_a_consequence():
    """A "What happens if ...?" question asks what follows: a condition's outcome, something done
    to a thing, a result; a sentence only restating the condition gives none of them."""
    assert asked_kinds("What happens if I cancel after two weeks?") == ["consequence"]
    assert asked_kinds("What will happen to the old diesel buses?") == ["consequence"]
    assert "consequence" not in asked_kinds("What was decided in 1851?")
    assert gives(["consequence"], "After that, we will refund the premium for the days left.")
    assert gives(["consequence"], "Anything unlabelled is cleared out every Sunday evening.")
    assert gives(["consequence"], "Work started early cannot be paid for.")
    assert not gives(["consequence"], "You can cancel within 14 days of receiving your documents.")
    assert not gives(["consequence"], "Before each sail action, the sailing player rolls the die.")
    # A date's month is no "may": a booking's flight line led "What happens if the flight is late?"
    assert not gives(["consequence"], "Flight: TP 1366; Date: Tuesday 19 May 2026; From: Lisbon.")


def test_a_what_happens_question_is_led_by_what_follows(tmp_path: Path):
    """A gym's terms: the sentence saying what a missed payment leads to comes first, not the one
    asking to be told of it, which repeats more of the question's words (it led before)."""
    first = (
        "Please tell us before you miss a monthly membership payment, for example when you "
        "change banks."
    )
    second = "After a missed payment, your card stops working until the balance is cleared."
    question = "What happens if I miss a monthly membership payment?"
    answer = _two_sentence_answer(tmp_path, question, first, second)
    assert answer.text.startswith("After a missed payment"), answer.text


def test_what_should_i_do_asks_for_an_instruction():
    """A "What should I do ...?" or "What must be checked ...?" question asks what to do: an
    imperative, after any opening condition, or an obligation gives it; a sentence about the
    thing does not."""
    assert asked_kinds("What should I do if my things are stolen?") == ["instruction"]
    assert asked_kinds("What must be checked before switching to lithium?") == ["instruction"]
    assert "instruction" not in asked_kinds("What did she do after the war?")
    assert gives(["instruction"], "Report any theft to the police within 24 hours.")
    assert gives(["instruction"], "Before going out, write your route on the whiteboard.")
    assert gives(["instruction"], "A player who wants to load must first pay one silver.")
    assert not gives(["instruction"], "Theft is not covered if your home is left empty.")
    assert not gives(["instruction"], "A ship must be in a berth to be loaded.")
    assert not gives(["instruction"], "After the meeting, the committee voted on the budget.")


def test_a_what_should_i_do_question_is_led_by_what_to_do(tmp_path: Path):
    """A tenant's guide: the sentence saying what to do when the alarm sounds leads, not the one
    about the alarm, which repeats more of the question's words (it led before)."""
    first = "The smoke alarm in the hallway is tested by the landlord every year."
    second = "Leave the flat at once and call 999 from outside."
    question = "What should I do if the smoke alarm goes off?"
    answer = _two_sentence_answer(tmp_path, question, first, second)
    assert answer.text.startswith("Leave the flat"), answer.text
