"""Which quoted sentence leads an answer: the one giving the fact asked for (a date, a figure,
the definition of what "What is X?" names), ordered by the learned lead weights, not by
similarity alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import rag
import rag.answer.extractive as extractive
from rag.answer.companions import with_item
from rag.answer.extractive import (
    FEATURES,
    _gives_asked,
    compose,
    kind_first,
    sentence_features,
    speaking_order,
    token_match,
)
from rag.answer.figures import figure_test, measure_first, with_figure
from rag.answer.question_headings import asked_headings
from rag.answer.sentences import candidate_sentences, is_statement, list_items
from rag.answer.summary import summarise
from rag.text.asks import defined_term, defines, defines_in_row
from rag.text.measures import measure

from .conftest import two_sentences


def test_the_sentence_giving_the_kind_asked_for_leads_a_closer_one(tmp_path: Path):
    """Both sentences are quoted; the one holding the date asked for leads, though the other is
    closer to the question in wording (similarity alone ordered the answer until 2026-12-04)."""
    first = "The harbour bridge opening was a project the town argued about for a generation."
    second = "The bridge finally opened to traffic in 1931, after nine years of building."
    engine, passage, settings = two_sentences(tmp_path, first, second)
    question = "When did the harbour bridge open?"
    answer = compose(question, question, [passage], engine.embedder, settings)
    assert answer.text.startswith(second), answer.text
    assert first in answer.text
    similarity = engine.embedder.embed([first, second]) @ engine.embedder.embed_question(question)
    assert similarity[0] > similarity[1]


def test_the_learned_lead_weights_decide_which_quoted_sentence_leads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Both sentences are quoted whatever the lead weights; which one leads follows
    `LEAD_WEIGHTS` (learned by bench/train_scorer.py), not the score that chose them: weighing
    the kind of fact asked for, the dated one; weighing the question's keywords, the one naming
    the accord. A scripted keyword share stands in for the index's (the dated sentence shares
    "accord" with the question, as a sentence that says when it was signed must). No kind of
    fact or measure leads by rule here (`kind_first` and `measure_first` would always put the
    date first)."""
    monkeypatch.setattr(extractive, "LEADING_KINDS", ())
    monkeypatch.setattr(extractive, "measure_first", lambda needed, sentences, chosen: chosen)
    first = "Valdria and Ostrava signed the Marren accord to end their quarrels over water."
    second = "The accord was signed in the city of Brisk on 14 March 2024 by the two leaders."
    engine, passage, settings = two_sentences(tmp_path, first, second)
    question = "When was the Marren accord signed?"

    def answer(**weights: float) -> str:
        for name, weight in weights.items():
            monkeypatch.setitem(extractive.LEAD_WEIGHTS, name, weight)

        def keywords(sentence: str) -> float:
            return 1.0 if "Marren" in sentence else 0.5 if "accord" in sentence else 0.0

        text = compose(
            question, question, [passage], engine.embedder, settings, None, keywords
        ).text
        assert first in text and second in text
        return text

    assert answer(gives_asked=5.0, keywords=0.0).startswith(second)
    assert answer(gives_asked=0.0, keywords=5.0).startswith(first)
    monkeypatch.setattr(extractive, "LEADING_KINDS", ("date",))
    assert answer(gives_asked=0.0, keywords=5.0).startswith(second)


def test_a_sentence_defining_what_is_asked_about_gives_what_is_asked(tmp_path: Path):
    """For "What is the wall line?" the sentence saying what the wall line is gets the weight of a
    sentence giving the kind of fact asked for; the rule that only names it does not (on the
    handbook of `bench/longform.py --set analysis` the rule led, by keyword share)."""
    first = "No one works alone above the wall line."
    second = "The wall line is the old dry-stone wall that runs across the fell."
    text = f"{first} {second}"
    passage = rag.Passage("handbook.txt", None, 0, len(text), text, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    given = _gives_asked([], defined_term("What is the wall line?"), sentences, [passage])
    similarity = np.zeros(len(sentences), dtype=np.float32)
    features = sentence_features(similarity, given, True, sentences, [passage], None)
    assert [s.text for s in sentences] == [first, second]
    for name in ("gives_asked", "defines"):
        assert list(features[:, FEATURES.index(name)]) == pytest.approx([0.0, 1.0])
    assert defined_term("What exactly are polymetallic nodules?") == "polymetallic nodules"
    assert defined_term("What is the population of the largest city in the whole country?") is None
    assert defines("dark oxygen", "whether nodules produce dark oxygen—a new source of oxygen")
    assert defines(
        "Northern Basin Commission", "the Northern Basin Commission, a body of engineers"
    )
    assert defines("ENR", "the magazine known as ENR")
    assert not defines("clades", "These clades (which are thought to be extinct) were found.")
    # "a ..." after a plural glosses the clause, not the term; "a kind of" glosses either.
    nodules = "polymetallic nodules"
    assert not defines(nodules, "processing minerals from polymetallic nodules, a proposal that")
    assert defines(nodules, "Polymetallic nodules, a type of rock formation, cover the plain.")
    assert defines(nodules, "Polymetallic nodules, the potato-shaped rocks, cover the plain.")
    assert defines("gas", "the gas, a colourless compound of carbon")


def test_a_size_question_is_led_by_a_quoted_sentence_that_gives_a_size():
    """Whatever the learned order, a question asking how big is led by the first quoted sentence
    that gives a size, if the lead gives none (dev's "How big is the Clarion-Clipperton Zone?" was
    led by its count of contracts); other kinds keep the learned order, and so does a size
    question whose lead gives one or whose quotes give none. A when-question keeps it too: the
    learned order led five when-questions of the long-document sets, NQ and XQuAD onto the
    answer that the rule took off it, and none the other way."""
    given = np.asarray([0.0, 0.0, 1.0, 1.0])
    assert kind_first(["size"], given, [1, 3, 2]) == [3, 1, 2]
    assert kind_first(["size"], given, [2, 1, 3]) == [2, 1, 3]
    assert kind_first(["size"], given, [1, 0]) == [1, 0]
    assert kind_first(["date"], given, [1, 3, 2]) == [1, 3, 2]
    assert kind_first(["name"], given, [1, 3, 2]) == [1, 3, 2]
    assert kind_first([], given, [1, 3, 2]) == [1, 3, 2]


@pytest.mark.parametrize(
    ("timed", "condition", "question"),
    [
        (
            "Books may be renewed online until 10 pm on the day they are due.",
            "You need a new library card when you move to a new address.",
            "When do I need a new library card?",
        ),
        (
            "The surgery opens at 8 am and closes at 6.30 pm on weekdays.",
            "You should book a follow-up appointment if your symptoms last longer than a week.",
            "When should I book a follow-up appointment?",
        ),
    ],
)
def test_a_when_question_asking_a_condition_is_not_led_by_a_time(
    tmp_path: Path, timed: str, condition: str, question: str
):
    """ "When do I need ...?" often asks for a condition, not a time: the sentence saying when
    one is needed leads, not a quoted sentence on the topic that happens to give a time of day
    (the staff handbook of `bench/longform.py --set rules` led "When do I need a note from my
    doctor?" with "phone your line manager before 9.30 am" while dates led by rule)."""
    engine, passage, settings = two_sentences(tmp_path, timed, condition)
    text = compose(question, question, [passage], engine.embedder, settings).text
    assert timed in text and text.startswith(condition), text


def test_what_is_x_is_led_by_a_quoted_sentence_defining_x(tmp_path: Path):
    """ "What is varroa?" is led by the quoted sentence that says what varroa is, not by the one
    that only names it with more of the question's words (an interview's "The varroa mite,
    without any doubt." led); a question asking no definition keeps the learned order."""
    named = "RUTH: The varroa mite, without any doubt."
    says = "It's a tiny red-brown mite that lives on the bees and feeds on them."
    text = f"{named} {says}"
    engine = rag.RAG(index=tmp_path / "index")
    passage = rag.Passage("talk.txt", None, 0, len(text), text, 0.6, 0.6, 0.8)
    question = "What is varroa?"
    answer = compose(question, question, [passage], engine.embedder, engine.settings)
    assert answer.text.startswith(says), answer.text
    given = np.asarray([0.0, 1.0])
    assert kind_first([], given, [0, 1], definition_asked=True) == [1, 0]
    assert kind_first([], given, [0, 1]) == [0, 1]


def test_a_question_naming_its_measure_is_led_by_a_quoted_sentence_stating_it(tmp_path: Path):
    """ "What time does the outbound flight leave?" names a time of day: a quoted sentence giving
    one leads, not the check-in rule on the same topic (kitchen's booking was led so); a lead
    that states the measure, or quotes that state none, keep their order."""
    first = "Check-in opens online 36 hours before departure and closes at the airport."
    second = "The outbound flight departs at 07:05 and lands in Lisbon at 09:40."
    _, passage, _ = two_sentences(tmp_path, first, second)
    sentences = candidate_sentences([passage])
    assert [s.text for s in sentences] == [first, second]
    needed = measure("What time does the outbound flight leave?")
    assert needed == "clock time"
    assert measure_first(needed, sentences, [0, 1]) == [1, 0]
    assert measure_first(needed, sentences, [1, 0]) == [1, 0]
    assert measure_first("money", sentences, [0, 1]) == [0, 1]
    assert measure_first(None, sentences, [0, 1]) == [0, 1]


def test_a_measure_question_quotes_a_sentence_stating_its_measure(tmp_path: Path):
    """ "What time do I have to leave the hotel room?" is answered because a sentence states a
    time of day; when the sentences chosen by score do not, the best-scored one of the answer's
    document that does is quoted, in place of the last when the answer is full."""
    first = "The hotel can store luggage after check-out on the day you leave."
    second = "Check-in is from 3 pm and check-out is by 11 am."
    _, passage, _ = two_sentences(tmp_path, first, second)
    sentences = candidate_sentences([passage])
    question = "What time do I have to leave the hotel room?"
    stating = figure_test(measure(question), question, [passage], None)
    assert [stating(s) for s in sentences] == [False, True]
    scores = np.asarray([1.0, 0.5])
    home = passage.source
    assert with_figure(stating, sentences, [0], scores, [passage], home, 1) == [1]
    assert with_figure(stating, sentences, [0], scores, [passage], home, 2) == [0, 1]
    assert with_figure(stating, sentences, [1], scores, [passage], home, 1) == [1]
    assert with_figure(stating, sentences, [0], scores, [passage], "other.md", 1) == [0]


def test_an_opinion_is_led_by_similarity_the_other_signals_breaking_near_ties():
    """ "How do officials in Brisk feel about the clause?": two views at nearly the same
    similarity are ordered by the other signals; a clearly closer one leads whatever they say."""
    features = np.zeros((2, len(FEATURES)), dtype=np.float32)
    near = speaking_order(
        ["opinion"], np.array([0.66, 0.65]), np.array([1.30, 1.50]), features, [0, 1]
    )
    assert near == [1, 0]
    far = speaking_order(
        ["opinion"], np.array([0.70, 0.55]), np.array([1.30, 1.50]), features, [0, 1]
    )
    assert far == [0, 1]
    # Other questions: the learned lead weights, a sentence giving the kind asked for leading a
    # slightly more similar one that does not.
    features[:, FEATURES.index("similarity")] = [0.70, 0.62]
    features[:, FEATURES.index("gives_asked")] = [0.0, 1.0]
    dated = speaking_order(["date"], features[:, 0], np.array([1.40, 1.25]), features, [0, 1])
    assert dated == [1, 0]


def test_the_sentence_whose_words_meet_the_questions_leads(seed_engine: rag.RAG):
    """Two sentences as similar as a whole: the one meeting each word of the question ("two
    general types" for "two general kinds") leads, by the token match of the index's model."""
    question = "What are the two general kinds of self-locking nut?"
    texts = [
        "For the sake of simplicity, only three typical kinds of self-locking nuts are considered.",
        "The two general types of self-locking nuts in use are the all-metal and fiber lock types.",
    ]
    matched = token_match(question, texts, seed_engine.embedder)
    assert matched is not None and matched[1] > matched[0]
    # Words only: no special tokens, no punctuation; each vector of unit length.
    asked, rows = seed_engine.embedder.token_vectors("Hello, world?", ["Yes."])
    assert asked.shape[0] == 2 and rows[0].shape[0] == 1
    assert np.allclose(np.linalg.norm(asked, axis=1), 1.0, atol=1e-5)
    features = np.zeros((2, len(FEATURES)), dtype=np.float32)
    assert speaking_order(["what"], features[:, 0], features[:, 0], features, [0, 1]) == [0, 1]
    led = speaking_order(["what"], features[:, 0], features[:, 0], features, [0, 1], matched)
    assert led == [1, 0]


_SYNCER = (
    "By default, `syncer` will:\n\n"
    "- Read every file in the watched folder.\n"
    "- **Keep** files that already exist on the server (`replace=False`). Pass `replace=True` to "
    "replace them.\n"
    "- Log each copy to `sync.log`.\n\n"
    "The syncer wakes every ten minutes and copies what changed."
)


def test_a_line_ending_on_a_colon_is_a_statement_that_introduces_a_list():
    """A lead-in states something ("Korea has hosted the Games on two occasions:" answered NQ's
    "How many times has South Korea held the Winter Olympics?" but was no candidate before
    2026-12-05); a label too short to say anything is still none. Its items are the bulleted
    lines below it, each with its later sentences, up to the first line that is not one."""
    assert is_statement("The Republic of Korea has hosted the Games on two occasions:")
    assert not is_statement("Notes:")
    passage = rag.Passage("syncer.md", None, 0, len(_SYNCER), _SYNCER, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    assert sentences[0].text == "By default, `syncer` will:"
    items = [s.text for s in list_items(sentences[0], [passage])]
    assert items == [
        "Read every file in the watched folder.",
        "**Keep** files that already exist on the server (`replace=False`).",
        "Pass `replace=True` to replace them.",
        "Log each copy to `sync.log`.",
    ]


def test_a_quoted_lead_in_runs_on_into_its_best_item():
    """A quoted lead-in says nothing without what it announces: the best-scoring of its items is
    quoted right after it, the last sentence giving way, and the two read as one statement with
    one mark; an item quoted already is not repeated but joins the lead-in, and a lead-in with
    no items below it in the passage is left as it was."""
    passage = rag.Passage("syncer.md", None, 0, len(_SYNCER), _SYNCER, 0.6, 0.6, 0.8)
    sentences = candidate_sentences([passage])
    keep, log, wakes = 2, 4, 5  # "**Keep** files ...", "Log each copy ...", "The syncer wakes ..."
    scores = np.asarray([0.9, 0.2, 0.7, 0.3, 0.1, 0.6])
    kept, chosen = with_item(sentences, [0, wakes], [passage], scores, 3)
    assert chosen == [0, keep, wakes]
    assert with_item(sentences, [0, wakes], [passage], scores, 2)[1] == [0, keep]
    answer = extractive.cite("q", "q", kept, chosen, [passage])
    assert answer.text.startswith(
        "By default, `syncer` will: **Keep** files that already exist on the server "
        "(`replace=False`). [1] The syncer wakes"
    ), answer.text
    assert answer.text.count("[1]") == 2
    assert with_item(sentences, [0, log], [passage], scores, 3) == (sentences, [0, log])
    # Quoted apart, a lead-in and its item are quoted together where the first of them was.
    assert with_item(sentences, [wakes, log, 0], [passage], scores, 3)[1] == [wakes, 0, log]
    assert with_item(sentences, [0, wakes, log], [passage], scores, 3)[1] == [0, log, wakes]
    alone = extractive.cite("q", "q", sentences, [0, wakes], [passage]).text
    assert alone.startswith("By default, `syncer` will: [1] The syncer wakes"), alone
    ending = "The Republic of Korea has hosted the Games on two occasions:"
    alone = rag.Passage("korea.md", None, 0, len(ending), ending, 0.6, 0.6, 0.8)
    korea = candidate_sentences([alone])
    assert with_item(korea, [0], [alone], np.asarray([0.5]), 3) == (korea, [0])


def test_a_summary_quotes_no_lead_in(tmp_path: Path):
    """A summary leaves a list's items out, so it quotes no lead-in, which says nothing without
    them; asked for as many sentences as the passage has, it quotes every other statement."""
    engine = rag.RAG(index=tmp_path / "index")
    passage = rag.Passage("syncer.md", None, 0, len(_SYNCER), _SYNCER, 0.6, 0.6, 0.8)
    answer = summarise("Summarise the guide", [passage], engine.embedder, None, sentences=6)
    assert "will:" not in answer.text
    assert answer.text.count("[1]") == 5, answer.text


_TIDEWORT = [
    "# Tidewort in the Marren estuary",
    "Tidewort has spread along the lower Marren since the sluice was rebuilt in 1998. Surveyors "
    "first noted tidewort beds below the old ferry steps, and within ten years tidewort covered "
    "most of the mudflats between the steps and the sea wall.",
    "The estuary trust counts tidewort every August. Volunteers walk fixed lines across the flats "
    "and record how much tidewort they cross, and the counts have risen in all but two years.",
    "Fishermen dislike tidewort because it fouls nets set close to the shore. Several asked the "
    "trust to cut tidewort back near the moorings, and the trust cut two trial strips in 2019.",
    "Birds use tidewort beds for shelter at high water. Redshank and dunlin roost among the "
    "tidewort when the tide covers the open mud, one reason the trust has not cleared it.",
    "| Plant | What it is | Where it grows |\n| --- | --- | --- |\n"
    "| Tidewort | A salt-tolerant creeping grass that roots in soft mud and binds it with "
    "runners. | Mudflats below the sea wall |\n"
    "| Sea aster | A purple-flowered daisy of upper salt marsh. | Saltings by the ferry steps |",
    "Cutting tidewort is slow work. The trial strips grew back within two seasons, and the trust "
    "now plans to leave tidewort alone except where it blocks the moorings.",
]


def test_what_is_x_is_answered_by_the_passage_that_defines_x(tmp_path: Path):
    """In a report where every passage names tidewort, "What is tidewort?" is answered by the
    table row that says what it is, which ranked below passages that only use the word (as
    "What exactly are polymetallic nodules?" did in longform-dev): the defining passage is
    promoted in retrieval (`definition_boost`). Without it the answer quotes passages that never
    say what tidewort is."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tidewort.md").write_text("\n\n".join(_TIDEWORT), encoding="utf-8")
    shape = {"top_k": 3, "chunk_size": 300, "chunk_overlap": 0}
    assert rag.RAG(index=tmp_path / "index", **shape).ingest([docs]).ok
    question = "What is tidewort?"
    answer = rag.RAG(index=tmp_path / "index", **shape).query(question)
    assert answer.text.startswith("| Tidewort | A salt-tolerant creeping grass"), answer.text
    without = rag.RAG(
        index=tmp_path / "index", definition_boost=0.0, definition_weight=0.0, **shape
    ).query(question)
    assert without.found and "salt-tolerant" not in without.text


def test_a_definition_says_what_its_subject_is():
    """ "X is ..." defines X only where X is the subject; a table row defines its first cell's
    term when the next cell describes it."""
    assert defines("tidewort", "Tidewort is a salt-tolerant creeping grass.")
    assert defines("wall line", "The wall line is the old dry-stone wall across the fell.")
    assert not defines("tidewort", "Cutting tidewort is slow work.")
    assert defines("tidewort", "It spread after 1998. Tidewort is a creeping grass.")
    assert defines_in_row("tidewort", "| Tidewort | A salt-tolerant creeping grass of mud. |")
    assert defines_in_row(
        "polymetallic nodules",
        "| Polymetallic Nodules | Potato-shaped rocks of concentric layers |",
    )
    assert not defines_in_row("tidewort", "| Tidewort | 12 | 15 |")
    assert not defines_in_row(
        "tidewort", "| Sea aster | Grows beside tidewort on the upper marsh. |"
    )


_FAQ = """# Library app: frequently asked questions

## Borrowing

### How many e-books can I borrow at once?

Up to eight e-books and four audiobooks at a time. Printed books do not count.

### How long is an e-book loan?

Loans last 21 days.

### What happens when a loan ends?

The title is returned automatically, and there are never any fines for e-books.

## Devices

### Which phones does the app work on?

Android 10 or later and iOS 16 or later. An older phone can still use the website.

### Can I use the app on more than one device?

Yes, on up to five devices signed in with the same card.
"""


def test_an_faqs_question_heading_stands_for_the_answer_under_it(tmp_path: Path):
    """People's questions resemble an FAQ's questions more than its answers: "Which versions of
    Android are supported?" was refused over the answer "Android 10 or later ..." alone, and
    "How long can I keep an e-book?" never quoted "Loans last 21 days." (four words, one of them
    a figure, once too short to be a statement). The sentences under a question heading are
    scored, and count as evidence, with the heading's similarity when it is higher."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "faq.md").write_text(_FAQ, encoding="utf-8")
    engine = rag.RAG(index=tmp_path / "index")
    assert engine.ingest([docs]).ok
    phones = engine.query("Which versions of Android are supported?")
    assert phones.found and phones.text.startswith("Android 10 or later"), phones.text
    loan = engine.query("How long can I keep an e-book?")
    assert loan.found and loan.text.startswith("Loans last 21 days."), loan.text
    passages = engine.search("Which versions of Android are supported?")
    asked, raised = asked_headings(
        "Which versions of Android are supported?", passages, engine.embedder
    )
    assert len(asked) == _FAQ.count("### ")  # the first sentence under each question heading
    closest = max(raised, key=lambda p: p.sentence_similarity)
    assert "Android 10" in closest.text
    assert closest.sentence_similarity > max(p.sentence_similarity for p in passages)
    # Two FAQs asking the same question each answer it.
    (docs / "branch.md").write_text(
        "### How long is an e-book loan?\n\nBranch loans last 14 days.\n", encoding="utf-8"
    )
    assert engine.ingest([docs]).ok
    loans = engine.search("How long is an e-book loan?")
    asked, _ = asked_headings("How long is an e-book loan?", loans, engine.embedder)
    best = max(asked.values())
    assert {source for (source, _), value in asked.items() if value == best} == {
        str(docs / "faq.md"),
        str(docs / "branch.md"),
    }


def test_a_when_question_answered_under_a_dated_heading_names_the_heading(tmp_path: Path):
    """A changelog dates its entries in headings, not sentences: "When was the offline sync queue
    added?" is answered by the entry, under the heading that dates it. A quoted sentence giving
    a time, or a question asking something else, gets no heading."""
    entry = (
        "Offline sync queue: edits made offline are stored and sent when the connection returns."
    )
    dated = "The sync queue was first shipped to all users in September 2025."
    engine = rag.RAG(index=tmp_path / "index")
    settings = dataclasses.replace(engine.settings, answer_sentences=1)

    def answer(sentence: str, question: str) -> rag.Answer:
        text = f"## 3.2.0 — 2025-09-18\n\n### Added\n\n- {sentence}\n"
        sections = (
            (0, ("Changelog", "3.2.0 — 2025-09-18")),
            (text.index("###"), ("Changelog", "3.2.0 — 2025-09-18", "Added")),
        )
        passage = rag.Passage("CHANGES.md", None, 0, len(text), text, 0.7, 0.7, 0.9)
        passage = dataclasses.replace(passage, sections=sections)
        return compose(question, question, [passage], engine.embedder, settings)

    when = "When was the offline sync queue added?"
    assert answer(entry, when).text == f"Under “3.2.0 — 2025-09-18”: {entry} [1]"
    assert answer(dated, when).text == f"{dated} [1]"
    assert answer(entry, "What does the offline sync queue do?").text == f"{entry} [1]"


def test_a_date_in_the_heading_alone_answers_when(tmp_path: Path):
    """A chunk that starts below its dated heading still answers "When was ... added?": the
    heading's date is the entry's, so the question is no near miss, and the answer names it."""
    entry = "Offline sync queue: edits made offline may be stored and sent when you reconnect."
    text = f"- {entry}\n"
    engine = rag.RAG(index=tmp_path / "index")
    passage = rag.Passage("CHANGES.md", None, 0, len(text), text, 0.7, 0.7, 0.9)
    passage = dataclasses.replace(passage, sections=((0, ("Changelog", "3.2.0 — 2025-09-18")),))
    question = "When was the offline sync queue added?"
    answer = compose(question, question, [passage], engine.embedder, engine.settings)
    assert answer.found and answer.text == f"Under “3.2.0 — 2025-09-18”: {entry} [1]", answer.text
