"""Passages to an extractive answer: the sentences that best answer the question, each followed
by its [n], with citations that point at the exact quoted spans. No language model involved."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from ..index.embed import Embedder
from ..index.similarity import Rescale
from ..settings import Settings
from ..text.asks import (
    asked_kinds,
    asks_open,
    defined_term,
    defines,
    defines_after,
    defines_in_row,
    gives,
    names_asked,
    names_no_one,
    new_names,
    restates,
)
from ..text.markup import reader_view
from ..text.measures import measure, states
from ..types import Answer, Citation, Passage, SentenceVectors
from .alone import read_alone
from .companions import (
    antecedent_keywords,
    dated_heading,
    section_keywords,
    with_antecedent,
    with_item,
)
from .evidence import is_evidence
from .figures import (
    KeywordOverlap,
    figure_test,
    giving_first,
    measure_first,
    states_figure,
    with_figure,
)
from .not_found import CLOSEST_SHOWN, not_found
from .question_headings import asked_headings
from .sentences import (
    WORD,
    Sentence,
    candidate_sentences,
    in_context,
    is_item,
    is_lead_in,
    sentence_before,
    whole_lines,
    without_footnote_mark,
)

# Where composition finds a retrieved chunk's stored sentence vectors (Store.sentence_vectors).
StoredSentences = Callable[[str], SentenceVectors | None]

_WHITESPACE = re.compile(r"\s+")
_REPEAT_SHARE = 0.8
# The kinds of fact whose question a quoted sentence giving it always leads (`kind_first`): a
# size, the kind where that moves leads onto the answer and not off it in NQ, XQuAD and the
# long-document sets. Not a date: the learned order leads when-questions better, many of which
# ask for a condition ("When do I need a fit note?") (docs/answers.md, "A size leads").
LEADING_KINDS = ("size",)
# How much of the other signals an opinion question's order adds to similarity (chosen on the
# eight answerable opinion questions of the long-document sets: 0 led 5, 0.05-0.3 led 6, 0.5 5).
_OPINION_SIGNALS_SHARE = 0.1


def compose(
    question: str,
    searched: str,
    passages: list[Passage],
    embedder: Embedder,
    settings: Settings,
    stored: StoredSentences | None = None,
    keywords: KeywordOverlap | None = None,
    rescale: Rescale | None = None,
) -> Answer:
    """Answer `question` (searched as `searched`) from `passages`, or say plainly that the
    documents do not cover it when no passage `is_evidence`.
    `stored` gives a chunk's sentence vectors from the index, so only sentences it lacks are
    encoded now; `keywords` gives a sentence's IDF-weighted share of the question's words;
    `rescale` puts the model's cosines on the scale the weights were chosen on."""
    asked, passages = asked_headings(searched, passages, embedder, rescale)
    floor = settings.open_min_score if asks_open(searched) else settings.min_score
    alone = None
    if not any(is_evidence(p, settings, floor) for p in passages):
        alone = read_alone(searched, passages, embedder, settings, rescale)
        passages = alone.passages
    if not any(is_evidence(p, settings, floor) for p in passages):
        return not_found(question, searched, passages[:CLOSEST_SHOWN])
    # A question that names its measure ("How much would it cost ...?") is not answered by a
    # sentence on its topic without one, nor by a figure in a sentence that shares none of its
    # keywords but the measure's own (the sum pledged in 1789 for "How much was a navvy paid?",
    # a night's price for "How much does it cost to hire a drone?"): say it is not there.
    # Asked per period ("How many tons a year ...?"), the figure must be stated as a rate too.
    # Nor is it answered by a figure about the topic alone: where some of the question's words
    # are in some passages and not others, the figure's sentence holds one of them ("How long do
    # ducks live?" is not answered by "the partnership usually only lasts one year", which holds
    # only "ducks", a word every passage holds).
    needed = measure(searched)
    if needed and not states_figure(needed, searched, passages, keywords):
        return not_found(question, searched, passages[:CLOSEST_SHOWN], missing=needed)
    # Once one passage is evidence enough, every retrieved passage may supply sentences: the
    # best sentence often sits in a passage that is weaker as a whole.
    sentences = candidate_sentences(passages)
    evidence = {i for i, p in enumerate(passages) if is_evidence(p, settings, floor)}
    if not any(s.passage in evidence for s in sentences):
        # The passages that answer hold no full statement (a table row, a sentence run into
        # markup): quote them anyway rather than sentences of passages that do not answer,
        # unless all they hold is references or code.
        everything = candidate_sentences(passages, everything=True)
        sentences = [s for s in everything if s.passage in evidence] or sentences
    # A line that only repeats the question's words is no answer, however similar it is.
    sentences = [
        s for s in sentences if not restates(searched, s.text, passages[s.passage].language)
    ] or sentences
    # Whole lines that state the figure asked for themselves are a candidate too, though no
    # statement (a CV's "June 2018 – February 2022" under its job's line, a table row): they
    # were evidence that the figure is stated.
    stating = figure_test(needed, searched, passages, keywords) if needed else None
    if stating is not None:
        known = {(s.passage, s.start) for s in sentences}
        sentences += [
            s
            for s in candidate_sentences(passages, everything=True)
            if (s.passage, s.start) not in known
            and whole_lines(s, passages)
            and states(needed, reader_view(s.text))
            and stating(s)
        ]
    vectors = sentence_vectors(sentences, passages, embedder, stored)
    similarity = vectors @ embedder.embed_question(searched)
    if rescale is not None:
        similarity = rescale(similarity, [passages[s.passage].language for s in sentences])
    if alone is not None:
        similarity = alone.raised(sentences, similarity)
    if asked:
        headed = [asked.get((passages[s.passage].source, s.start), -np.inf) for s in sentences]
        similarity = np.maximum(similarity, np.asarray(headed, dtype=similarity.dtype))
    kinds = asked_kinds(searched)
    term = defined_term(searched)
    given = _gives_asked(kinds, term, sentences, passages)
    features = sentence_features(
        similarity, given, term is not None, sentences, passages, keywords, searched
    )
    scores = features @ feature_weights(settings)

    top = int(scores.argmax())
    best = float(scores[top])
    home = passages[sentences[top].passage].source

    # An answer quotes the best sentence's document; another document's sentence joins only
    # when it scores as well, since a second source is where wrong citations come from. A
    # sentence joins the best one only when it is close to it and says something else.
    def close(i: int) -> bool:
        margin = settings.sentence_margin
        if passages[sentences[i].passage].source != home:
            margin = settings.other_source_margin
        return bool(scores[i] >= best - margin)

    # A title may be the best (it says which document answers) but is quoted only where nothing
    # else is close to it.
    quotable = {i for i, s in enumerate(sentences) if not s.title and close(i)} or {
        i for i in range(len(sentences)) if close(i)
    }
    chosen: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if len(chosen) == settings.answer_sentences:
            break
        if int(i) in quotable and not any(
            _repeats(sentences[i].text, sentences[j].text) for j in chosen
        ):
            chosen.append(int(i))
    # The sentence most similar to the question among those close to the best is always quoted
    # (when more than one may be): the other signals choose which sentences are worth quoting
    # beside it.
    closest = max(quotable, key=lambda i: similarity[i])
    if settings.answer_sentences > 1 and closest not in chosen:
        kept = chosen[: settings.answer_sentences - 1]
        if not any(_repeats(sentences[closest].text, sentences[j].text) for j in kept):
            chosen = [*kept, closest]
    if stating is not None:
        chosen = with_figure(
            stating, sentences, chosen, scores, passages, home, settings.answer_sentences
        )
    matched = None
    if len(chosen) > 1 and "opinion" not in kinds:
        matched = token_match(searched, [sentences[i].text for i in chosen], embedder)
    chosen = speaking_order(kinds, similarity, scores, features, chosen, matched)
    chosen = kind_first(kinds, given, chosen, term is not None)
    chosen = measure_first(needed, sentences, chosen)
    sentences, chosen = with_item(sentences, chosen, passages, scores, settings.answer_sentences)
    sentences, chosen = with_antecedent(
        sentences, chosen, passages, settings.answer_sentences, kinds
    )
    # Asked who someone is or did, quotes that name no one do not answer it: a near miss.
    if names_no_one(searched, [_seen(sentences[i].text) for i in chosen]):
        return not_found(question, searched, passages[:CLOSEST_SHOWN], missing="person")
    heading = dated_heading(kinds, sentences, chosen, passages)
    return cite(question, searched, sentences, chosen, passages, heading)


def kind_first(
    kinds: list[str], given: np.ndarray, chosen: list[int], definition_asked: bool = False
) -> list[int]:
    """`chosen` with the first quoted sentence that `given` marks as giving the fact asked for
    moved to the front, when the question asks for one of `LEADING_KINDS` or for a definition
    (`definition_asked`) and the lead gives none: "How big is the zone?" is not answered by "The
    ISA has issued 17 contracts in the zone" while a quoted sentence gives its area, nor "What is
    varroa?" by "The varroa mite, without any doubt." while one says what it is."""
    if not definition_asked and (not kinds or kinds[0] not in LEADING_KINDS):
        return chosen
    return giving_first([bool(given[i]) for i in chosen], chosen)


def speaking_order(
    kinds: list[str],
    similarity: np.ndarray,
    scores: np.ndarray,
    features: np.ndarray,
    chosen: list[int],
    matched: np.ndarray | None = None,
) -> list[int]:
    """`chosen` in the order they are quoted: by `LEAD_WEIGHTS` over their `features` and over
    how well their words meet the question's (`matched`, one `token_match` per chosen sentence;
    None where the model gives no token vectors), learned from which sentence holds the answer
    (docs/answers.md, "A learned sentence scorer"). An opinion question's view is led by
    similarity, which hears "Beijing" in "How does China view ...?" where keywords do not, the
    other signals (`scores`) breaking near ties (docs/answers.md, "Which sentence leads")."""
    if "opinion" in kinds:
        order = similarity + _OPINION_SIGNALS_SHARE * (scores - similarity)
        return sorted(chosen, key=lambda i: -order[i])
    weights = np.asarray([LEAD_WEIGHTS[f] for f in FEATURES], dtype=np.float64)
    lead = features[chosen].astype(np.float64) @ weights
    if matched is not None:
        lead = lead + LEAD_WEIGHTS["token_match"] * matched
    return [chosen[n] for n in np.argsort(-lead, kind="stable")]


def token_match(question: str, texts: list[str], embedder: Embedder) -> np.ndarray | None:
    """For each text, the mean over the question's tokens of each one's best cosine with the
    text's tokens (late interaction, as ColBERT scores passages): a sentence that meets every
    word of the question ("two general types of self-locking nuts" for "the two general kinds
    of self-locking nut") beats one whose pooled vector is as close. None where the embedder
    gives no token vectors."""
    found = embedder.token_vectors(question, texts) if texts else None
    if found is None or not len(found[0]):
        return None
    asked, rows = found
    return np.asarray(
        [float((asked @ row.T).max(axis=1).mean()) if len(row) else 0.0 for row in rows]
    )


def cite(
    question: str,
    searched: str,
    sentences: list[Sentence],
    chosen: list[int],
    passages: list[Passage],
    heading: str = "",
) -> Answer:
    """The answer quoting `sentences[i]` for each i in `chosen`, in that order, each followed by
    the number of its passage (a list's lead-in runs on into its item, `companions.with_item`),
    after the `heading` the first sits under when one is given (`companions.dated_heading`);
    passages are numbered in the order they are first cited."""
    sentences = [without_footnote_mark(s) if i in chosen else s for i, s in enumerate(sentences)]
    numbers: dict[int, int] = {}
    for i in chosen:
        numbers.setdefault(sentences[i].passage, len(numbers) + 1)
    parts = []
    for i, after in zip(chosen, [*chosen[1:], None], strict=True):
        text = _WHITESPACE.sub(" ", sentences[i].text)
        # A list's lead-in runs on into its item quoted after it: one statement, one mark.
        if (
            after is not None
            and is_lead_in(text)
            and is_item(sentences[after], sentences[i], passages)
        ):
            parts.append(text)
        else:
            parts.append(f"{text} [{numbers[sentences[i].passage]}]")
    citations: list[Citation] = []
    for passage_index, n in numbers.items():
        passage = passages[passage_index]
        mine = sorted(
            (sentences[i] for i in chosen if sentences[i].passage == passage_index),
            key=lambda s: s.start,
        )
        citations.append(
            Citation(
                n=n,
                source=passage.source,
                page=passage.page,
                start=passage.start,
                end=passage.end,
                text=passage.text,
                quote=" ".join(s.text for s in mine),
                quote_spans=tuple((s.start, s.end) for s in mine),
                score=passage.score,
                section=passage.section_at(mine[0].start),
            )
        )
    if heading:
        parts.insert(0, f"Under “{_WHITESPACE.sub(' ', heading).strip()}”:")
    return Answer(
        question=question,
        text=" ".join(parts),
        found=True,
        citations=citations,
        closest=[],
        searched=searched,
    )


def sentence_vectors(
    sentences: list[Sentence],
    passages: list[Passage],
    embedder: Embedder,
    stored: StoredSentences | None,
) -> np.ndarray:
    """One unit vector per sentence: the stored one where the index has it, else encoded now."""
    known = {}
    for passage in passages:
        found = stored(passage.chunk_id) if stored and passage.chunk_id else None
        if found is not None:
            known[passage.chunk_id] = found.lookup()
    rows: list[np.ndarray | None] = []
    for sentence in sentences:
        passage = passages[sentence.passage]
        span = (sentence.stored_start, sentence.end - passage.start)
        rows.append(known.get(passage.chunk_id, {}).get(span))
    missing = [i for i, row in enumerate(rows) if row is None]
    encoded = embedder.embed([sentences[i].text for i in missing])
    for i, vector in zip(missing, encoded, strict=True):
        rows[i] = vector
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), embedder.dimension)


def _gives_asked(
    kinds: list[str], term: str | None, sentences: list[Sentence], passages: list[Passage]
) -> np.ndarray:
    """1 for each sentence that gives the kind of fact asked for (`kinds`, asks.asked_kinds: a
    date, a number, a reason, a name), or defines the `term` a "What is X?" question asks about
    (asks.defined_term), itself or as "it" named by the sentence before; else 0. Judged as a
    reader sees it: "[Saurabh Kumar][home]" is a name, a link's URL is not text."""
    flags = []
    for sentence in sentences:
        seen = _seen(sentence.text)
        flags.append(
            (bool(kinds) and gives(kinds, seen))
            or (
                term is not None
                and (
                    defines(term, seen)
                    or defines_in_row(term, sentence.text)
                    or defines_after(term, seen, sentence_before(sentence, passages))
                )
            )
        )
    return np.asarray(flags, dtype=np.float32)


# What a sentence is scored on (the columns of `sentence_features`). Which sentences are quoted
# weighs them by settings (`feature_weights`); the order they are quoted in by `LEAD_WEIGHTS`,
# which `bench/train_scorer.py` learns from the sentences that hold the answer to NQ, XQuAD and
# long-document questions and checks (docs/answers.md, "A learned sentence scorer").
FEATURES = (
    "similarity",
    "passage_similarity",
    "rank_score",
    "keywords",
    "gives_asked",
    "prose",
    "defines",
    "antecedent_keywords",
    "section_keywords",
    "new_names",
)
LEAD_WEIGHTS = {
    "similarity": 1.0,
    "passage_similarity": 0.42,
    "rank_score": 0.68,
    "keywords": 0.53,
    "gives_asked": 0.29,
    "prose": 0.0,
    "defines": 0.36,
    "antecedent_keywords": 0.32,
    "section_keywords": 0.70,
    "new_names": 0.26,
    "token_match": 0.27,
}


def sentence_features(
    similarity: np.ndarray,
    given: np.ndarray,
    definition_asked: bool,
    sentences: list[Sentence],
    passages: list[Passage],
    keywords: KeywordOverlap | None,
    question: str = "",
) -> np.ndarray:
    """One row of `FEATURES` per sentence: its own similarity to the question, its passage's
    similarity and fused rank score, its IDF-weighted share of the question's keywords (its
    heading's words count, `in_context`), whether it gives the kind of fact asked for (`given`,
    from `_gives_asked`), how much of it is prose rather than code, links or numbers, whether
    it defines the term a "What is X?" question names (`definition_asked`), and the keywords a
    pronoun opening it stands for and the headings above it add (`antecedent_keywords` and
    `section_keywords`, which only order), and the names it adds to the `question` when that asks
    who, where or which (`asks.new_names`; it only orders)."""
    asked = names_asked(question)
    rows = []
    for sentence, own, gives_asked in zip(sentences, similarity, given, strict=True):
        passage = passages[sentence.passage]
        seen = _seen(sentence.text)
        context = in_context(sentence, passages)
        share = keywords(context) if keywords else 0.0
        rows.append(
            (
                float(own),
                passage.similarity,
                passage.score,
                share,
                float(gives_asked),
                _prose_share(seen),
                float(gives_asked) if definition_asked else 0.0,
                antecedent_keywords(sentence, passages, context, share, keywords),
                section_keywords(sentence, passage, context, share, keywords),
                new_names(asked, seen),
            )
        )
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), len(FEATURES))


# The setting that weighs each feature but similarity (the scale) in choosing what to quote.
CHOOSING_SETTINGS = {
    "passage_similarity": "sentence_passage_weight",
    "rank_score": "sentence_rank_weight",
    "keywords": "sentence_keyword_weight",
    "gives_asked": "sentence_kind_weight",
    "prose": "sentence_prose_weight",
    "defines": "definition_weight",
}


def feature_weights(settings: Settings) -> np.ndarray:
    """The weight of each of `FEATURES` in choosing what to quote; similarity's is 1, the scale,
    and a feature no setting weighs only orders."""
    weights = [1.0]
    weights += [
        getattr(settings, CHOOSING_SETTINGS[f]) if f in CHOOSING_SETTINGS else 0.0
        for f in FEATURES[1:]
    ]
    return np.asarray(weights, dtype=np.float32)


def _seen(text: str) -> str:
    """`text` as a reader sees it: markup read (`reader_view`), its lines joined."""
    return _WHITESPACE.sub(" ", reader_view(text)).strip()


def _prose_share(text: str) -> float:
    """The share of `text` made of words of two letters or more (prose ~0.8; code, URLs and
    tables less)."""
    return sum(len(w) for w in WORD.findall(text)) / max(len(text), 1)


def _repeats(a: str, b: str) -> bool:
    """Whether sentence `a` adds nothing to `b`: nearly all the words a reader sees in `a` are in
    `b` ("In addition, as discussed, X." repeats "X.", but "X, namely Y." adds Y to "X.")."""
    words_a = set(WORD.findall(reader_view(a).lower()))
    words_b = set(WORD.findall(reader_view(b).lower()))
    return len(words_a & words_b) >= _REPEAT_SHARE * max(len(words_a), 1)
