"""What a question asks for, and whether a sentence gives that kind of fact: a date for "when",
a quantity for "how many", a size with its unit for "how big / far / tall", a reason for "why", a
name for "who", a definition for "What is X?", an outcome for "What happens if ...?", an
instruction for "What should I do ...?". Used as one signal among the sentence scores in
extractive.py: on long documents the sentence on the topic often outscored the sentence holding
the date or the number asked for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .keywords import ENGLISH, tokenize
from .languages import detect
from .markup import reader_view
from .measures import COUNT_WORDS, MONTHS, SIZE, measure

_ASKS = {
    "date": re.compile(
        r"^\s*(?:when|what year|in what year|what date|on what date|since when)\b"
        r"|\bwhen (?:did|was|were|is|does|do|will)\b",
        re.I,
    ),
    # "How many visitors ...?" asks for a count, which a share is not: none of the 182 how-many
    # questions of NQ dev, XQuAD English and the long-document sets that opens so is answered by
    # a percentage ("a 20% discount" led "How many visitors does the museum get?").
    "count": re.compile(r"^\s*how many\b(?!\s+(?:dollars|euros|pounds)\b)", re.I),
    "quantity": re.compile(
        r"(?<=\w )how many\b|^\s*how many (?=(?:dollars|euros|pounds)\b)|\bhow (?:much|long|old)\b"
        # "How far ahead should I book?" asks how long before, not a distance.
        r"|\bhow far (?:ahead|in advance|back|beforehand)\b"
        r"|\bwhat (?:percentage|share|number|proportion|amount|size)\b"
        # "What is the default size limit?", "What was the total cost?": a measure asked for.
        r"|^\s*what(?:'s| is| was| are| were)? (?:the |its |their |a )?(?:[\w'’-]+ ){0,3}"
        r"(?:size|limit|cost|price|length|duration|weight|height|depth|distance|population"
        r"|percentage|temperature|capacity|budget|speed|rate|age|lifespan|range)s?"
        r"(?=\s*(?:\?|$|of\b|for\b|in\b|on\b|at\b|per\b))",
        re.I,
    ),
    # A size, distance, height or speed: a figure with its unit ("How big is the zone?" is not
    # answered by "17 contracts in the zone").
    # ... or a temperature: "How warm does it have to be?" is answered by "fourteen degrees".
    "size": re.compile(
        r"\bhow (?:big|large|far(?! (?:ahead|in advance|back|beforehand)\b)|tall|high|deep|heavy"
        r"|fast|wide|small|warm|cold|hot|cool)\b",
        re.I,
    ),
    # How often something happens: "How often should we check for head lice?" is not answered
    # by "several cases of head lice in Year 2" but by "once a week".
    "frequency": re.compile(
        r"\bhow (?:often|frequently)\b|\bhow many times (?:a|an|per|each)\b", re.I
    ),
    "reason": re.compile(r"\bwhy\b|\bwhat (?:caused|causes|led to)\b|\bfor what reason\b", re.I),
    "name": re.compile(
        r"^\s*who\b|\bwhich (?:official|person|people|company|companies|firm|agency"
        r"|organi[sz]ation|country|countries|state|states)\b",
        re.I,
    ),
    # "How would nodules be picked up?", "How is a missing reading written?": a way of doing
    # something (an opinion question's "How does China view ...?" is not one: see `asked_kinds`).
    "method": re.compile(
        r"^\s*how (?:do|does|did|is|are|was|were|would|can|could|should|will|might|to)\b", re.I
    ),
    # "What replaced the legacy export?", "Who succeeded her?", "What is it being replaced
    # with?": what came in something's place (not "Which filter should I replace?").
    "replacement": re.compile(
        r"^\s*(?:what|who|which \w+)\s+(?:(?:will|would|could|might|is|was|has|have|had)\s+)?"
        r"(?:been\s+)?(?:replace[ds]?|replacing|succeed(?:s|ed)?)\b"
        r"|\breplaced (?:by|with)\W*$|\bsuccessor\b",
        re.I,
    ),
    # "What happens if I cancel after two weeks?": what follows from a condition or an event.
    # Not "What happened to the actor ...?", which asks for a past event told in any words.
    "consequence": re.compile(
        r"^\s*what (?:happens|will happen|would happen|is going to happen)\b", re.I
    ),
    # "What should I do before heading out?", "What must be checked before ...?": what to do.
    "instruction": re.compile(
        r"^\s*what (?:should|must|do|does) (?:I|we|you|someone|one|they|he|she|parents|members"
        r"|tenants|players|students|staff) (?:do|need|have to)\b"
        r"|^\s*what (?:should|must) (?:be|I|we|you)\b|^\s*what do I need\b",
        re.I,
    ),
    "opinion": re.compile(
        r"^\s*what (?:is|was|are|were|has been)\b.*\b(?:reactions?|responses?|views?|positions?"
        r"|stance|opinions?|attitudes?)\b",
        re.I,
    ),
}
# An ordinal from "third" on counts as its figure does ("Thorpe's fourteenth league goal" as
# "her 14th"); "first" and "second" are as often no number ("first to the ball", "a second ball"),
# and after "a" or "one" it is a fraction ("a fifth of their wages"), left as before.
_ORDINAL_WORDS = (
    r"(?<!\ba )(?<!\bone )(?:third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    r"|(?:thir|four|fif|six|seven|eigh|nine)teenth|(?:twen|thir|for|fif|six|seven|eigh|nine)tieth)"
)
# A count of time units: "36 hours", "two weeks".
_TIME_COUNT = rf"(?:\d+|{COUNT_WORDS}) (?:minutes?|hours?|days?|weeks?|months?|years?)"
_SHOWS = {
    "date": re.compile(
        rf"\b(?:1[5-9]\d\d|20\d\d)\b|\b(?:{MONTHS})\b|\b\d{{1,2}}(?:st|nd|rd|th) century\b"
        # ... or a time of day ("between 7 am and 10 pm", "from 15:30"), or a time counted from
        # another ("36 hours before departure").
        r"|\b\d{1,2}:\d{2}\b|\b\d{1,2}(?:[:.]\d{2})?\s?(?i:am|pm|a\.m\.|p\.m\.)(?!\w)"
        rf"|\b{_TIME_COUNT} (?:before|after|ahead of|ago|earlier|later|beforehand)\b"
        # ... or a deadline counted from it ("returned within 14 days of the event").
        rf"|\bwithin {_TIME_COUNT} (?:of|after|from)\b"
    ),
    "quantity": re.compile(
        rf"\d|\b(?:{COUNT_WORDS}|{_ORDINAL_WORDS}|dozens?|hundreds?|thousands?|millions?|billions?"
        r"|half|twice)\b",
        re.I,
    ),
    "size": re.compile(SIZE, re.I),
    "frequency": re.compile(
        # "once" as a conjunction ("once converted, notes cannot be opened") is no frequency.
        r"\bonce (?:a|an|per|every|each|or|more|again|in|daily|weekly|monthly|yearly)\b"
        r"|\b(?:twice|thrice|times|every|daily|nightly|weekly|fortnightly|monthly|quarterly"
        r"|yearly|annually|hourly|interval|(?:a|an|per|each) (?:day|night|week|month|year|hour"
        r"|minute|second))\b|\d\s*(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b",
        re.I,
    ),
    "reason": re.compile(
        r"\b(?:because|due to|since|as a result|therefore|thus|hence|so that|in order to"
        r"|reasons?|caused?|owing to|given that|as an offset|to (?:avoid|prevent|mitigate|reduce"
        r"|protect))\b"
        # What something is needed for, or what it avoids: "ties with China remain vital for
        # Pakistan's security", "it avoids triggering countermeasures".
        r"|\b(?:vital|essential|critical|crucial|necessary|needed|important) (?:for|to)\b"
        r"|\bso as to\b|\bin order\b|\bavoids?\b",
        re.I,
    ),
    # A run of capitalised words after the sentence's first word ("... minister Khwaja Asif"),
    # or a title.
    "name": re.compile(
        r"(?<=[a-z,;:] )[A-Z][a-z]+(?: [A-Z][a-z]+)+"
        r"|\b(?:President|Minister|Secretary|Director|CEO|minister|president|secretary|director)\b"
    ),
    "method": re.compile(
        # What a thing is used for or to do is its purpose, not a way of doing it; "through" and
        # "via" mostly say which way a thing goes ("via waste water", "screwed through the
        # nut"), and held none of 17 answering sentences of the long-document sets' how-questions.
        r"\bby (?:\w+ )?\w+ing\b|\b(?:using|uses?|used(?! (?:for|to)\b)|relies on"
        r"|works by|steps?)\b",
        re.I,
    ),
    # What came in a thing's place: "Use the new exporter instead", "It is being replaced by ...",
    # "Ms Adeyemi will take over the choir" (not "the old exporter was removed").
    "replacement": re.compile(
        r"\b(?:replac(?:ed|es|ing) (?:by|with)|replacement|instead|in (?:its|their) place"
        r"|in place of|successor|succeeded by|t(?:ake|akes|ook|aking) over)\b",
        re.I,
    ),
    # What follows: a condition's outcome ("If the rent is not paid, the Committee will send a
    # reminder"), something done to a thing ("anything unlabelled is cleared out"), a result
    # ("Work started early cannot be paid for"). "may" in lower case: "19 May" is no outcome.
    "consequence": re.compile(
        r"\b(?:if|unless|otherwise|will|would|cannot|can't|won't|(?-i:may)|might)\b"
        r"|\b(?:is|are|was|were|be|been|gets?|got)\s+(?:not\s+)?(?:\w+ly\s+)?(?:\w+ed|lost|sent"
        r"|given|taken|kept|held|paid|put|left|cut|shut|thrown|brought|sold|told|made|done)\b",
        re.I,
    ),
    # What to do: an obligation ("Every student must complete ...", "you should ...").
    "instruction": re.compile(
        r"\byou(?: \w+){0,2} (?:must|should|need to|have to|want to)\b"
        r"|\bmust (?:first |always |never |not )?(?!be\b|have been\b)[a-z]+\b",
        re.I,
    ),
    # Reported speech or a quotation: what someone said, warned, argued or saw.
    "opinion": re.compile(
        r"[“\"][^”\"]{10,}[”\"]|\b(?:said|says|stated|warned|argued|argues|criticized|criticised"
        r"|described|welcomed|condemned|urged|noted|asserted|claimed|expressed|believes?|believed"
        r"|considers?|considered|viewed|regards?|regarded|reacted|responded|acknowledged|praised"
        r"|rejected|opposed|supported|called for)\b",
        re.I,
    ),
}


# The verb of an opinion question's frame ("How does China view these deals?", "What did India
# say?", "How did the ISA respond to ...?") says what is asked, not what it is about: as a
# keyword it pulled in any sentence using the verb ("Washington ... viewing ... China's
# influence" over "Beijing is watching these deals carefully").
_FRAME_VERB = re.compile(
    r"^\s*(?:how|what)\s+(?:do|does|did|will|would|might|could)\b.*?\b("
    r"views?|viewed|see|sees|saw|regard(?:s|ed)?|perceive[sd]?|think|thinks|thought|feel|feels"
    r"|felt|react(?:s|ed)?|respond(?:s|ed)?|say|says|said)\b",
    re.I,
)


def frame_words(question: str) -> list[str]:
    """The words of `question` that frame what it asks (an opinion question's verb), which are
    not keywords for finding the answer."""
    found = _FRAME_VERB.search(question)
    return [found.group(1)] if found else []


# Whose account a question asks for, before the question itself: "According to the skipper, why
# was the service cut?" asks what "Why was the service cut?" asks.
_ATTRIBUTION = re.compile(r"^\s*according to [^,?]{1,60},\s*", re.I)


def unattributed(question: str) -> str:
    """`question` without a leading "According to ...," (`_ATTRIBUTION`)."""
    return _ATTRIBUTION.sub("", question)


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact `question` asks for (none for most "what" questions)."""
    question = unattributed(question)
    kinds = [kind for kind, pattern in _ASKS.items() if pattern.search(question)]
    if frame_words(question):  # "How does China view ...?" asks for a view, not a method
        kinds = [kind for kind in kinds if kind != "method"] + ["opinion"]
    return kinds


# "What is X?" with a short X asks what X is: a sentence that defines X gives it ("The wall line is
# the old dry-stone wall ...", "the Northern Basin Commission, a body of river engineers ...",
# "_dark oxygen_—a potentially new source of oxygen"), which keyword share cannot tell from any
# other sentence naming X ("No one works alone above the wall line.").
_DEFINITION_ASKED = re.compile(
    r"^\s*what(?: exactly)?(?:'s| is| are| was| were)\s+(?:exactly\s+)?(?:the\s+|an?\s+)?"
    r"(?:so-called\s+)?"
    r"(?P<term>.+?)\s*\??\s*$",
    re.I,
)
_TERM_WORDS = 6
# After the term, an acronym or short gloss in brackets may stand ("Engineering News-Record (ENR)
# is ..."); a longer bracket is a clause of its own ("clades (which are thought extinct) were").
_GLOSS = r"\s*(?:\([^()]{1,20}\))?\s*"
# Where a term stands as the subject of "X is ...": a sentence's or clause's start, or after an
# article ("Cutting tidewort is slow work" does not say what tidewort is).
_SUBJECT = r"(?:^|[.!?,;:(]\s*|\b(?:the|an?)\s+)[\"'“]?"
# A table row describes its first cell's term when the next cell has at least this many words.
_ROW_WORDS = 4


def defined_term(question: str) -> str | None:
    """The term a "What is X?" question asks to have defined, if it is one (X of at most six
    words)."""
    found = _DEFINITION_ASKED.match(question)
    if not found or len(found.group("term").split()) > _TERM_WORDS:
        return None
    return found.group("term")


def _term_pattern(term: str) -> str:
    """`term` as a regular expression over lower-cased text: any run of spaces between its words,
    and its plural."""
    return re.escape(term.lower()).replace(r"\ ", r"\s+") + r"(?:e?s)?"


def defines(term: str, sentence: str) -> bool:
    """Whether `sentence` (as a reader sees it) defines `term`: "(The) X is / are / refers to ...",
    "X, a ..." or "X—a ...", or "... called / known as X"."""
    text = re.sub(r"[\s_*`]+", " ", sentence).lower()
    x = _term_pattern(term)
    return bool(
        re.search(
            rf"{_SUBJECT}{x}{_GLOSS}(?:is|are|was|were|refers to|means|describes|denotes)\b", text
        )
        or any(
            found.group("kind") or not _disagrees(found.group("term"), found.group("article"))
            for found in re.finditer(
                rf"\b(?P<term>{x}){_GLOSS}(?:,|—|–|--|:)\s*(?P<article>a|an|the|which|who)\b"
                rf"(?P<kind>\s+(?:{_KINDS_OF})\s+of\b)?",
                text,
            )
        )
        or re.search(
            rf"\b(?:called|known as|referred to as|termed|named)\s+(?:the\s+|an?\s+)?{x}\b", text
        )
    )


# "It's a tiny red-brown mite ...": a sentence that says what "it" is.
_SAYS_WHAT_IT_IS = re.compile(r"(?:It|They)(?:'s|’s| is| are| was| were)\s+(?:a|an)\s")


def defines_after(term: str, sentence: str, before: str) -> bool:
    """Whether `sentence` defines `term` through a pronoun: it says what "it" is ("It's a tiny
    red-brown mite that lives on the bees") right after a sentence naming the term ("The varroa
    mite, without any doubt."), as talk and explanations often do."""
    return bool(_SAYS_WHAT_IT_IS.match(sentence)) and bool(
        re.search(rf"\b{_term_pattern(term)}\b", re.sub(r"[\s_*`]+", " ", before).lower())
    )


# "A kind of" glosses a plural as well as a singular ("nodules, a type of rock formation").
_KINDS_OF = r"kind|kinds|type|types|sort|form|class|group|family|set|series|range|variety|mix"


def _disagrees(term: str, article: str) -> bool:
    """Whether a gloss opening on `article` cannot be in apposition to `term`: "a" or "an" after a
    plural ("... minerals from polymetallic nodules, a proposal that ..." glosses the clause, not
    the nodules). A word ending in "s" after a consonant or "e" is read as a plural ("nodules",
    "rocks"; not "gas", "bus", "analysis", "class")."""
    return article in ("a", "an") and len(term) > 2 and term[-1] == "s" and term[-2] not in "suia"


def defines_in_row(term: str, text: str) -> bool:
    """Whether a line of `text` is a table row that describes `term`: its first cell is the term
    and the next holds a description of at least four words ("| Polymetallic Nodules |
    Potato-shaped rocks composed of ... |"), as a glossary or a report's table of kinds does."""
    row = re.compile(rf"\s*\|?\s*[*_`]*{_term_pattern(term)}[*_`]*\s*\|([^|]*)")
    return any(
        (found := row.match(line)) is not None and len(found.group(1).split()) >= _ROW_WORDS
        for line in text.lower().splitlines()
    )


# "Who ...?", "Where ...?", "Which hotel ...?" ask for something by its name, which the question
# does not hold ("Casa do Largo" for "Which hotel are we staying at?"). English only, as `_ASKS`.
_ASKS_BY_NAME = re.compile(r"^\s*(?:who|whom|whose|where|which)\b", re.I)
# A capitalised word that does not open its sentence: a name, in scripts with capitals.
_INNER_CAPITAL = re.compile(r"(?<=[\w,;:)] )[A-Z][\w’'-]+")
# New names beyond this many say no more (a list of places is not a better answer than one).
_NAMES_COUNTED = 3


def names_asked(question: str) -> frozenset[str] | None:
    """The words of a question asking who, where or which (`_ASKS_BY_NAME`), lower-cased: the
    names a sentence may hold without naming anything new; None for any other question."""
    if not _ASKS_BY_NAME.match(unattributed(question)):
        return None
    return frozenset(word.lower() for word in re.findall(r"\w+", question))


# A question asking who someone is or was, or who did something ("Who designed the game?", "Who
# is the claims assessor?"), which naming someone answers. Not who may, should or gets something
# ("Who should not take Dosafen?": "Children under 12"), who does it now ("who makes the
# decisions in a market economy"), nor who is eligible or was affected, which a kind of people
# answers as often.
_ASKS_IDENTITY = re.compile(
    r"^\s*who (?:(?:is|are|was|were) (?:the|a|an|my|our|your|his|her|its|their)\b|\w{2,}ed|"
    r"built|made|wrote|found|won|led|ran|began|drew|gave|took|sang|paid|chose|did|had|came|"
    r"became|brought|bought|said|told|held|kept|left|lost|met|put|sent|set|shot|spoke|sold|"
    r"taught|threw|wore|thought|heard|saw|knew|got|went|fought|caught|grew|hid|let|meant|read|"
    r"rode|rose|sat|stood|swam|tore|understood|woke)\b",
    re.I,
)


def names_no_one(question: str, seen: list[str]) -> bool:
    """Whether `question` asks who someone is or did (English, `_ASKS_IDENTITY`) and none of the
    sentences `seen` (as a reader sees them) names anything beyond its words (`new_names`): a
    near miss, as "Who designed Harbour Traders?" over rules that never say who did."""
    if not _ASKS_IDENTITY.match(unattributed(question)):
        return False
    asked = names_asked(question)
    return all(new_names(asked, sentence) == 0 for sentence in seen)


def new_names(asked: frozenset[str] | None, seen: str) -> float:
    """The share of up to three capitalised words inside `seen` (a sentence as a reader sees it,
    its lines joined) that are not among the `asked` question's words (`names_asked`):
    "Boarding is at the North Pier in Castlebay" names the place "Where does the ferry leave
    from?" asks for, "The ferry leaves twice a day" names none. 0 for a question not asking by
    name (`asked` None)."""
    if asked is None:
        return 0.0
    names = [word for word in _INNER_CAPITAL.findall(seen) if word.lower() not in asked]
    return min(len(names), _NAMES_COUNTED) / _NAMES_COUNTED


# Dates are not quantities: "In September 2025, Putin said it would abide by the central
# limits" gave "What are New START's central limits?" the number it asked for, over the
# sentence with "1,550 warheads on 700 ... vehicles".
_DATE = re.compile(
    rf"\b(?:{MONTHS})(?: \d{{1,2}}(?:st|nd|rd|th)?\b,?)?(?: (?:1[5-9]\d\d|20\d\d))?"
    r"|\b(?:1[5-9]\d\d|20\d\d)s?\b(?!,\d)"
)


# A count is a quantity (`gives` reads it with its shares and sums left out).
_SHOWS["count"] = _SHOWS["quantity"]
# A share of something ("a 20% discount") or a sum of money ("a £1 fare"), which count nothing.
_NO_COUNT = re.compile(
    r"\d[\d,.]*\s?(?:%|percent\b|per cent\b)"
    r"|[$€£¥₹]\s?\d[\d,.]*(?:\s?(?:million|billion|bn|m|k)\b)?"
    r"|\d[\d,.]*\s?(?:million |billion )?(?:dollars?|euros?|pounds?\b(?! of)|pence|cents?|USD|EUR|GBP)\b",
    re.I,
)


def gives(kinds: Sequence[str], sentence: str) -> bool:
    """Whether `sentence` holds a fact of one of `kinds` (a quantity other than a date's, a count
    other than a share or a sum of money)."""
    undated = None
    for kind in kinds:
        text = sentence
        if kind in ("quantity", "count"):
            undated = _DATE.sub(" ", sentence) if undated is None else undated
            text = _NO_COUNT.sub(" ", undated) if kind == "count" else undated
        if _SHOWS[kind].search(text) or (kind == "instruction" and _imperative(text)):
            return True
    return False


# An imperative: a sentence, or what follows its opening condition ("Before going out, write your
# route ..."), that opens on a verb before its object ("Report any theft", "Start the engine") or
# on "Please", "Always", "Never", "Do not".
_CONDITION = re.compile(
    r"^\s*(?:before|after|if|when|whenever|once|until|while|in case|to)\b[^,;:]{1,80},\s*", re.I
)
_IMPERATIVE = re.compile(
    r"^(?:please|always|never|do not|don't|just)\b"
    r"|^(?!(?:the|a|an|this|that|these|those|it|its|you|your|we|our|they|their|he|she|his|her"
    r"|i|my|there|here|all|both|each|every|some|any|most|many|much|no|none|only|even|also|then"
    r"|so|but|and|or|if|when|while|after|before|during|in|on|at|for|with|by|from|of|to|as"
    r"|like|since|until|about|over|under|between|through|without|within|despite|once|because"
    r"|although|though|unless|almost|nearly|around|across|along|among|what|which|who|how|why"
    r"|where|one|two|three|four|five|six|seven|eight|nine|ten)\b)[a-z]+"
    r" (?:the|a|an|your|any|all|some|it|them|this|that|these|those|each|every|up|out|off|down"
    r"|one|two|three)\b",
    re.I,
)


def _imperative(sentence: str) -> bool:
    """Whether `sentence` tells the reader to do something (see `_IMPERATIVE`)."""
    text = reader_view(sentence).strip()
    text = _CONDITION.sub("", text, count=1)
    return bool(_IMPERATIVE.match(text))


# A question that asks what happens or is done, why, how, or whether, with no kind of fact named
# ("What might happen if the deals succeed?", "Why are minerals important nowadays?"): a passage
# that develops its topic answers it in words of its own, so it embeds weakly. "What salary ...",
# "Which company ...", "What is the capital ...", "What is Tern Point?", "Who ..." and "When ..."
# name what they want.
_OPEN = re.compile(
    r"^\s*(?:why\b|how (?:do|does|did|is|are|was|were|would|can|could|should|will|might|to)\b"
    r"|what (?:(?:is|are|was|were)(?!\s+(?:the|an?)\b)|do|does|did|can|could|should|would"
    r"|will|might|must|happens?|happened)\b"
    r"|(?:is|are|was|were|do|does|did|can|could|should|would|will|may|might|must|has|have)\b)",
    re.I,
)
_SPECIFIC_KINDS = {"date", "quantity", "count", "frequency", "size", "name"}


def asks_open(question: str) -> bool:
    """Whether `question` asks what happens, why, how or whether, naming no kind of fact or
    measure it wants, nor a term to define ("What is India's attitude to X?" asks a view, not a
    definition). English only: other languages' questions are never open."""
    kinds = set(asked_kinds(question))
    return (
        bool(_OPEN.match(unattributed(question)))
        and detect(question) in (ENGLISH, "")  # "Was ist ...?" is German
        and not _SPECIFIC_KINDS & kinds
        and measure(question) is None
        and ("opinion" in kinds or defined_term(question) is None)
    )


# An English question answered yes or no: the sentence that says what it asks, in its words
# ("Time off for antenatal appointments is paid." for "Is time off for antenatal appointments
# paid?"), is its answer ("Was ist ...?" asks what, in German).
_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|can|could|should|would|will|may|might|must|has|have"
    r"|had)\b",
    re.I,
)


def restates(question: str, sentence: str, language: str) -> bool:
    """Whether `sentence` only repeats `question` (keywords read as `language`): it adds no
    keyword of its own, or one while the question asks for a kind of fact it does not give
    ("Memo on China and the deals." for "How does China view these deals?"). Of 4,710 sentences
    holding the answer to a question of NQ, XQuAD or the long-document sets, none is one; a
    yes-or-no question's is never one (`_YES_NO`). A sentence whose language is unknown ("": too
    short to tell) is read in the question's."""
    language = language or detect(question)
    asked, kinds, yes_no = _question_reading(question, language)
    if yes_no:
        return False
    # Its words as written, links included: a URL is what "Where can I download it?" asks for.
    added = len(set(tokenize(sentence, language)) - asked)
    return added == 0 or (added == 1 and bool(kinds) and not gives(kinds, reader_view(sentence)))


@lru_cache(maxsize=64)
def _question_reading(question: str, language: str) -> tuple[frozenset[str], tuple[str, ...], bool]:
    """A question's keywords in `language`, the kinds of fact it asks for and whether it is an
    English yes-or-no question, read once for all the candidate sentences of an answer."""
    yes_no = bool(_YES_NO.match(question)) and detect(question) == ENGLISH
    return frozenset(tokenize(question, language)), tuple(asked_kinds(question)), yes_no
