"""What a question asks for, and whether a sentence gives that kind of fact: a date for "when",
a quantity for "how many", a size with its unit for "how big / far / tall", a reason for "why", a
name for "who", a definition for "What is X?". Used as one signal among the sentence scores in
extractive.py: on long documents the sentence on the topic often outscored the sentence holding
the date or the number asked for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .keywords import tokenize
from .languages import detect
from .markup import reader_view

_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ASKS = {
    "date": re.compile(
        r"^\s*(?:when|what year|in what year|what date|on what date|since when)\b"
        r"|\bwhen (?:did|was|were|is|does|do|will)\b",
        re.I,
    ),
    "quantity": re.compile(
        r"\bhow (?:many|much|long|old|often)\b"
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
    "size": re.compile(r"\bhow (?:big|large|far|tall|high|deep|heavy|fast|wide|small)\b", re.I),
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
    "opinion": re.compile(
        r"^\s*what (?:is|was|are|were|has been)\b.*\b(?:reactions?|responses?|views?|positions?"
        r"|stance|opinions?|attitudes?)\b",
        re.I,
    ),
}
_SHOWS = {
    "date": re.compile(
        rf"\b(?:1[5-9]\d\d|20\d\d)\b|\b(?:{_MONTHS})\b|\b\d{{1,2}}(?:st|nd|rd|th) century\b"
    ),
    "quantity": re.compile(
        r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?"
        r"|hundreds?|thousands?|millions?|billions?|half|twice)\b",
        re.I,
    ),
    "size": re.compile(
        r"(?:\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|a few|several"
        r"|hundreds?|thousands?|millions?|billions?))(?:\s*(?:million|billion|thousand|hundred))?"
        r"[\s-]*(?:\([^)]*\)\s*)?(?:square |cubic )?(?:miles?|mi|km|kilomet(?:er|re)s?"
        r"|met(?:er|re)s?|m|feet|foot|ft|inch(?:es)?|cm|mm|centimet(?:er|re)s?"
        r"|millimet(?:er|re)s?|acres?|hectares?|ha|km2|km²|sq|tons?|tonnes?|kg|kilograms?|grams?"
        r"|pounds?|lbs?|ounces?|oz|mph|knots?|km/h|kph|degrees?|°|light[- ]years?|yards?|yd"
        r"|stories|storeys|floors)\b"
        # ... or a comparison: "an area as wide as the continental United States".
        r"|\bas (?:big|large|wide|long|tall|high|deep|heavy) as\b|\bthe size of\b"
        r"|\btimes (?:the size|larger|bigger|as)\b",
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
        r"\bby (?:\w+ )?\w+ing\b|\b(?:using|uses?|used|through|via|relies on|works by|steps?)\b",
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


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact `question` asks for (none for most "what" questions)."""
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


# Dates are not quantities: "In September 2025, Putin said it would abide by the central
# limits" gave "What are New START's central limits?" the number it asked for, over the
# sentence with "1,550 warheads on 700 ... vehicles".
_DATE = re.compile(
    rf"\b(?:{_MONTHS})(?: \d{{1,2}}(?:st|nd|rd|th)?\b,?)?(?: (?:1[5-9]\d\d|20\d\d))?"
    r"|\b(?:1[5-9]\d\d|20\d\d)s?\b(?!,\d)"
)


def gives(kinds: Sequence[str], sentence: str) -> bool:
    """Whether `sentence` holds a fact of one of `kinds` (a quantity other than a date's)."""
    undated = None
    for kind in kinds:
        text = sentence
        if kind == "quantity":
            undated = _DATE.sub(" ", sentence) if undated is None else undated
            text = undated
        if _SHOWS[kind].search(text):
            return True
    return False


# Questions that name the measure of their answer, so a sentence without one cannot answer
# them: "How much would it cost to ...?" needs a sum of money, "How long do ducks live?" a
# span of time, "How many tons ...?" a number of tons. Only measures a true answer nearly always
# states: "How many people live in X?" is often answered by "a population of 2.3 million", so
# counts of things are not among them. These find near misses: a question whose topic the
# documents cover but whose figure they lack (docs/answers.md, "Near misses").
_MONEY_VERB = (
    r"cost|costs|costing|spend|spends|spent|spending|pay|pays|paid|invest|invests|invested"
    r"|investing|fund|funds|funded|funding|budget|budgeted|charge|charges|charged|worth|price"
)
# What a price goes by: "What was the toll per ton-mile?" asks for a sum as "What is the price
# ...?" does ("What were the annual carriage fees ...?" in XQuAD is answered by "£30m").
_PRICES = r"costs?|prices?|fees?|fares?|tolls?|rents?|wages?|salary|salaries|tuition"
_COMPARATIVES = (
    r"more|less|fewer|higher|lower|greater|larger|bigger|smaller|heavier|lighter|faster|slower"
    r"|longer|shorter|older|younger|cheaper|warmer|colder|hotter|cooler|wider|narrower|deeper"
    r"|taller|further|farther|better|worse"
)
_UNITS = (
    r"dollars|euros|pounds|tons|tonnes|miles|kilometers|kilometres|km|meters|metres|feet|acres"
    r"|hectares|kilograms|kg|liters|litres|gallons|barrels|calories|degrees|percent|watts"
    r"|kilowatts|volts"
)
_TIME_UNITS = (
    r"years?|months?|weeks?|days?|nights?|hours?|minutes?|seconds?|decades?|seasons?|generations?"
)
_NUMBER = (
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty"
    r"|forty|fifty|hundreds?|thousands?|millions?|billions?|a few|several|a|an|half a)\b"
)
# A span of time: a count of units ("10 to 20 years", "a decade", "one breeding season"), a life,
# a rate's period, a century ("well into the nineteenth century").
_DURATION = (
    rf"(?:{_NUMBER})[\s-]*(?:to[\s-]+\w+[\s-]+)?(?:[a-z]+[\s-]+)?(?:{_TIME_UNITS})\b"
    r"|\blife\b|\blifespan|\blifelong|\blifetime|\bcentur(?:y|ies)\b"
    r"|\b(?:annual|yearly|permanent|forever|indefinitely)\b"
)
_YEAR = r"\b(?:1[5-9]\d\d|20\d\d)\b"
# A chair, the chairman, chaired; a president, presides.
_CHAIR = r"\b(?:chair|presid)\w*"
_MEASURES = {
    "money": (
        re.compile(
            rf"\bhow much\b.*\b(?:{_MONEY_VERB})\b|\bhow many (?:dollars|euros|pounds)\b"
            r"|\bhow much money\b"
            rf"|^\s*what (?:is|was|are|were|would be|will be) the (?:[\w-]+ ){{0,2}}(?:{_PRICES})\b",
            re.I,
        ),
        re.compile(
            r"[$€£¥₹]\s?\d|\b(?:dollars?|euros?|pounds sterling|yen|yuan|renminbi|rubles?"
            r"|roubles?|rupees?|USD|EUR|GBP)\b"
            # "38 pounds per night" is a price; "38 pounds of flour" a weight.
            r"|\d\s*(?:million |billion )?pounds?\b(?! of\b)"
            # Pence and cents: "costs 50p", "99 cents" ("10 p.m." is a time).
            r"|\dp\b(?![.\w])|\d\s?(?:pence|cents?|¢)"
            # A share of a sum: "you pay 50% of the total price".
            rf"|\d\s?(?:%|percent\b|per cent\b)\s+of\s+(?:the |its |your )?(?:\w+ )?"
            rf"(?:{_PRICES}|total|amount)\b",
            re.I,
        ),
    ),
    # "How long has it been since ...?" is answered by a date as much as by a span: "since 1988",
    # "in 2018" (NQ dev's two such questions).
    "time elapsed": (
        re.compile(r"^\s*how long (?:has|have|had)\b", re.I),
        re.compile(rf"{_DURATION}|{_YEAR}", re.I),
    ),
    # "How long do ducks live?" is not answered by a year a duck was drawn in ("Howard the Duck
    # started ... in 1973"): a year answers it only as the end of a span ("until 1850", "from
    # 1939 to 1945"). XQuAD's six such questions are answered by counts of time, "until ..." and
    # "well into the nineteenth century".
    "duration": (
        re.compile(
            r"^\s*how long (?:do|does|did|will|would|can|could|should)\b|\bfor how long\b", re.I
        ),
        re.compile(
            rf"{_DURATION}|\b(?:since|from|through|between)\s+(?:\w+\s+){{0,2}}{_YEAR}"
            rf"|{_YEAR}\s*(?:-|–|—|to|and)\s*(?:{_YEAR}|\d\d\b)|\buntil\b|\btill\b",
            re.I,
        ),
    ),
    # "When did Khwaja Asif become defense minister?" asks when something happened: a year, a
    # date, a day, a season, a time, a century or an era. Only what happened is asked so: "When
    # is rent due?" or "When do kites fly best?" are often answered by a condition ("in a steady
    # wind").
    "date": (
        re.compile(
            r"^\s*(?:when (?:did|was|were)|(?:in )?(?:what|which) year|on what date)\b", re.I
        ),
        re.compile(
            rf"\b\d{{3,4}}s?\b|\b\d{{1,2}}(?:st|nd|rd|th)\b|\b(?:{_MONTHS}|{_WEEKDAYS})\b"
            r"|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
            r"|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:a\.?m\b|p\.?m\b)|\bcentur(?:y|ies)\b"
            r"|\b(?:decades?|ago|yesterday|today|tonight|era|reign|dynasty|war|BC|BCE|AD)\b"
            r"|\b(?:spring|summer|autumn|winter|Christmas|Easter)\b"
            r"|\blast (?:night|week|month|year|season)\b",
            re.I,
        ),
    ),
    # "Who chairs the Northern Basin Commission?" asks for whoever holds the chair, which
    # documents name by saying "chair" (or "president"): XQuAD's chair questions do. Other offices
    # are often written otherwise: NQ dev's "who heads ..." is answered by "the Governor", "who
    # owns ..." by "a subsidiary of", "the leader of ..." by "led" (docs/answers.md).
    "chair": (
        re.compile(
            r"^\s*who (?:chairs|chaired|(?:is|was|are|were) (?:the )?(?:current |new |first )?"
            r"(?:chair|chairman|chairwoman|chairperson)\b)",
            re.I,
        ),
        re.compile(_CHAIR, re.I),
    ),
    # "What time does the kitchen close?" asks for a time of day (NQ's "what time do tam tams
    # start in montreal" is answered "around 10:30am"); "What time frame ...?" does not.
    "clock time": (
        re.compile(
            r"\b(?:at )?what time (?:do|does|did|is|was|are|were|will|would|should|can|must)\b",
            re.I,
        ),
        re.compile(
            r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:a\.?m\b\.?|p\.?m\b\.?)|\b(?:noon|midday|midnight)\b"
            r"|\bo'clock\b",
            re.I,
        ),
    ),
    # "How much slower / heavier / higher ...?" asks by how much: a share, a factor or a figure
    # with its unit (XQuAD's three such questions are answered "12%", "18%" and "120 m").
    "difference": (
        re.compile(rf"^\s*how much (?:{_COMPARATIVES})\b", re.I),
        re.compile(
            r"\d\s*(?:%|percent\b|per cent\b|times\b|-?fold\b|x\b)"
            r"|\b(?:twice|half|double|triple|twofold|threefold|tenfold)\b"
            rf"|{_SHOWS['size'].pattern}",
            re.I,
        ),
    ),
}
_HOW_MANY_UNITS = re.compile(rf"\bhow many ({_UNITS})\b", re.I)
# "How much power does it use in watts?" names its unit at the end.
_IN_UNITS = re.compile(rf"^\s*(?:how|what)\b.*\bin ({_UNITS})\s*\??\s*$", re.I)


def measure(question: str) -> str | None:
    """The measure `question` asks for by name ("money", "duration", or a unit such as
    "tons"), if any."""
    for name, (asks, _) in _MEASURES.items():
        if asks.search(question):
            return name
    unit = _HOW_MANY_UNITS.search(question) or _IN_UNITS.search(question)
    return unit.group(1).lower() if unit else None


# Power in either unit: "2.2 kW" answers "How much power ... in watts?".
_POWER = r"watts?|kilowatts?|W\b|kW\b"
# A unit as documents also write it: "how many kilometers" is answered by "8,850 km".
_UNIT_SPELLINGS = {
    "dollars": r"dollars?|\$|USD",
    "euros": r"euros?|€|EUR",
    "pounds": r"pounds?|lbs?|£|GBP",
    "tons": r"tons?|tonnes?|t\b",
    "tonnes": r"tons?|tonnes?|t\b",
    "miles": r"miles?|mi\b",
    "kilometers": r"kilometers?|kilometres?|km",
    "kilometres": r"kilometers?|kilometres?|km",
    "km": r"kilometers?|kilometres?|km",
    "meters": r"meters?|metres?|m\b",
    "metres": r"meters?|metres?|m\b",
    "feet": r"feet|foot|ft\b|′",
    "kilograms": r"kilograms?|kilos?|kg",
    "kg": r"kilograms?|kilos?|kg",
    "liters": r"liters?|litres?|l\b",
    "litres": r"liters?|litres?|l\b",
    "degrees": r"degrees?|°",
    "percent": r"percent|per cent|%",
    "watts": _POWER,
    "kilowatts": _POWER,
    "volts": r"volts?|V\b",
}


# The words that name a measure rather than what it is of: a figure in "A visit costs 38 pounds a
# night" does not answer "How much does it cost to hire a drone?" by sharing "cost" with it.
_HOW_LONG = re.compile(r"\b(?:long|time|times)\b", re.I)
_NAMING_WORDS = {
    "money": re.compile(rf"\b(?:{_MONEY_VERB}|{_PRICES}|much|money)\b", re.I),
    "duration": _HOW_LONG,
    "time elapsed": _HOW_LONG,
    "clock time": re.compile(r"\btimes?\b", re.I),
    "date": re.compile(r"\b(?:year|date)\b", re.I),
    "chair": re.compile(_CHAIR, re.I),
    "difference": re.compile(rf"\b(?:much|{_COMPARATIVES})\b", re.I),
}


def without_naming_words(measure_name: str, sentence: str) -> str:
    """`sentence` with the words that name `measure_name` blanked (its unit, for a unit), so
    that what it shares with the question is what the figure is of."""
    naming = _NAMING_WORDS.get(measure_name)
    if naming is None:
        naming = re.compile(rf"\b(?:{_unit(measure_name)})", re.I)
    return naming.sub(" ", sentence)


def states(measure_name: str, sentence: str) -> bool:
    """Whether `sentence` states a figure of `measure_name` (from `measure`)."""
    if measure_name in _MEASURES:
        return bool(_MEASURES[measure_name][1].search(sentence))
    unit = _unit(measure_name)
    return bool(re.search(rf"(?:{_NUMBER})[\s,.\d]*(?:\w+\s+)?(?:{unit})", sentence, re.I))


# A figure per period: "How many tons a year ...?" is not answered by "over 3,000 tons" from one
# test. "a second" is left out: it is an ordinal as often ("a second master plan").
_PER_PERIOD = re.compile(
    r"\b(?:a|an|per|each|every)\s+(?:year|month|week|day|hour|minute|night|annum)\b"
    r"|\bper second\b|\b(?:annual(?:ly)?|yearly|daily|weekly|monthly|hourly|nightly)\b",
    re.I,
)


def per_period(text: str) -> bool:
    """Whether `text` speaks of a quantity per period ("a year", "per night", "annually"): a
    question that asks for a rate is answered by a figure stated as one."""
    return bool(_PER_PERIOD.search(text))


def _unit(measure_name: str) -> str:
    """The pattern of a unit in any of its spellings ("tons" also "tonnes", "t")."""
    return _UNIT_SPELLINGS.get(measure_name, re.escape(measure_name.rstrip("s")))


def restates(question: str, sentence: str, language: str) -> bool:
    """Whether `sentence` only repeats `question` (keywords read as `language`): it adds no
    keyword of its own, or one while the question asks for a kind of fact it does not give
    ("Memo on China and the deals." for "How does China view these deals?"). Of 4,710 sentences
    holding the answer to a question of NQ, XQuAD or the long-document sets, none is one. A
    sentence whose language is unknown ("": too short to tell) is read in the question's."""
    language = language or detect(question)
    asked, kinds = _question_reading(question, language)
    # Its words as written, links included: a URL is what "Where can I download it?" asks for.
    added = len(set(tokenize(sentence, language)) - asked)
    return added == 0 or (added == 1 and bool(kinds) and not gives(kinds, reader_view(sentence)))


@lru_cache(maxsize=64)
def _question_reading(question: str, language: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """A question's keywords in `language` and the kinds of fact it asks for, read once for all
    the candidate sentences of an answer."""
    return frozenset(tokenize(question, language)), tuple(asked_kinds(question))
