"""The measure a question names ("How much would it cost ...?": a sum of money; "How many tons
...?": tons) and whether a sentence states it: a question whose topic the documents cover but
whose figure they lack is a near miss (docs/answers.md, "Near misses")."""

from __future__ import annotations

import re

WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A count written in words, as stories, letters and transcripts write them: "Thirty-two at the
# moment", "about fourteen degrees", "fifty-two thousand pounds".
_DIGIT_WORDS = "one|two|three|four|five|six|seven|eight|nine"
COUNT_WORDS = (
    rf"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:{_DIGIT_WORDS}))?"
    r"|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
    rf"|{_DIGIT_WORDS}"
)
# A size, distance, height or weight: a figure with its unit, or a comparison.
SIZE = (
    rf"(?:\d[\d,.]*|\b(?:{COUNT_WORDS}|a few|several"
    r"|hundreds?|thousands?|millions?|billions?))(?:\s*(?:million|billion|thousand|hundred))?"
    r"[\s-]*(?:\([^)]*\)\s*)?(?:square |cubic )?(?:miles?|mi|km|kilomet(?:er|re)s?"
    r"|met(?:er|re)s?|m|feet|foot|ft|inch(?:es)?|cm|mm|centimet(?:er|re)s?"
    r"|millimet(?:er|re)s?|acres?|hectares?|ha|km2|km²|sq|tons?|tonnes?|kg|kilograms?|grams?"
    r"|pounds?|lbs?|ounces?|oz|mph|knots?|km/h|kph|degrees?|°|light[- ]years?|yards?|yd"
    r"|stories|storeys|floors)\b"
    # ... or a comparison: "an area as wide as the continental United States".
    r"|\bas (?:big|large|wide|long|tall|high|deep|heavy) as\b|\bthe size of\b"
    r"|\btimes (?:the size|larger|bigger|as)\b"
)

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
# ...?" does ("What were the annual carriage fees ...?" in XQuAD is answered by "£30m"), and so
# does "How much is the rent?".
_PRICES = r"costs?|prices?|fees?|fares?|tolls?|rents?|wages?|salary|salaries|tuition|premiums?"
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
    rf"\d|\b(?:{COUNT_WORDS}|hundreds?|thousands?|millions?|billions?|a few|several|a|an"
    r"|half a)\b"
)
# A span of time: a count of units ("10 to 20 years", "a decade", "one breeding season"), a life,
# a rate's period, a century ("well into the nineteenth century").
_DURATION = (
    rf"(?:{_NUMBER})[\s-]*(?:to[\s-]+\w+[\s-]+)?(?:[a-z]+[\s-]+)?(?:{_TIME_UNITS})\b"
    r"|\blife\b|\blifespan|\blifelong|\blifetime|\bcentur(?:y|ies)\b"
    r"|\b(?:annual|yearly|permanent|forever|indefinitely)\b"
)
_YEAR = r"\b(?:1[5-9]\d\d|20\d\d)\b"
# "How much power ...?" is as often asked of a president as of a kettle: only energy and
# electricity are asked for by name; a share of any of these is stated.
_ENERGY_WORDS = r"energy|electricity|power|heating|consumption"
# A chair, the chairman, chaired; a president, presides.
_CHAIR = r"\b(?:chair|presid)\w*"
# A sum of money as documents write it.
_MONEY_STATED = (
    r"[$€£¥₹]\s?\d|\b(?:dollars?|euros?|pounds sterling|yen|yuan|renminbi|rubles?"
    r"|roubles?|rupees?|USD|EUR|GBP)\b"
    # "38 pounds per night" is a price; "38 pounds of flour" a weight.
    r"|\d\s*(?:million |billion )?pounds?\b(?! of\b)"
    # ... or in words: "fifty-two thousand pounds", "seven pounds fifty".
    rf"|\b(?:{COUNT_WORDS})(?:[\s-]+(?:hundred|thousand|million|billion))?"
    r"\s+(?:pounds?\b(?! of\b)|pence\b|cents?\b)"
    # Pence and cents: "costs 50p", "99 cents" ("10 p.m." is a time).
    r"|\dp\b(?![.\w])|\d\s?(?:pence|cents?|¢)"
    # A sum in a currency of the document's own, after the verb that prices it: "a gold
    # coin is worth five silver", "a hint costs 3 tokens" (but "cost three times as
    # much" is a ratio, "costs two hours" a time).
    rf"|\b(?:worth|costs?|costing|charges?|charged|priced at)\s+(?:about |around |only |just )?"
    rf"(?:\d[\d,.]*|{COUNT_WORDS})\s+(?!(?:times|{_TIME_UNITS})\b)[a-z]+"
    r"(?=\s*(?:[.,;:)]|$|(?:each|a|an|per|apiece)\b))"
    # A share of a sum: "you pay 50% of the total price".
    rf"|\d\s?(?:%|percent\b|per cent\b)\s+of\s+(?:the |its |your )?(?:\w+ )?"
    rf"(?:{_PRICES}|total|amount)\b"
)
# What an assessment or a score is worth: a share or a count of marks, points or credits
# ("A group poster ...: 30%." for "How much is the group poster worth?").
_SCORE_STATED = (
    r"\d\s?(?:%|percent\b|per cent\b)"
    rf"|(?:\d[\d,.]*|\b(?:{COUNT_WORDS}))\s+(?:marks?|points?|credits?)\b"
)
_MEASURES = {
    # "How much is the group poster worth?" is answered by a share of the marks as often as
    # "How much is a gold coin worth?" by a sum.
    "worth": (
        re.compile(r"\bhow much (?:is|are|was|were|will be|would be)\b.*\bworth\b", re.I),
        re.compile(f"{_MONEY_STATED}|{_SCORE_STATED}", re.I),
    ),
    "money": (
        re.compile(
            # "How much charge does the panel give?" asks for electric charge, not a fee.
            rf"\bhow much\b(?! charge\b).*\b(?:{_MONEY_VERB})\b|\bhow many (?:dollars|euros|pounds)\b"
            r"|\bhow much money\b"
            # "How much is the rent for a full plot?", not "How much of the rent ...?" (a share);
            # "How much are tickets?" asks a price too ("What is the ticket number?" does not).
            rf"|\bhow much (?:is|was|are|were|will be|would be) (?:(?:the|a|an|my|our|your) )?"
            rf"(?:[\w-]+ ){{0,2}}(?:{_PRICES}|tickets?)\b"
            rf"|^\s*what (?:is|was|are|were|would be|will be) the (?:[\w-]+ ){{0,2}}(?:{_PRICES})\b",
            re.I,
        ),
        re.compile(_MONEY_STATED, re.I),
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
            rf"|{_YEAR}\s*(?:-|–|—|to|and)\s*(?:{_YEAR}|\d\d\b)|\buntil\b|\btill\b"
            # "How long can the field report be?": the length of a text.
            rf"|(?:{_NUMBER})[\s-]*(?:words|pages|characters|letters|lines)\b",
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
            rf"\b\d{{3,4}}s?\b|\b\d{{1,2}}(?:st|nd|rd|th)\b|\b(?-i:{MONTHS}|{WEEKDAYS})\b"
            r"|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
            r"|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:a\.?m\b|p\.?m\b)|\bcentur(?:y|ies)\b"
            r"|\b(?:decades?|ago|yesterday|today|tonight|era|reign|dynasty|war|BC|BCE|AD)\b"
            r"|\b(?:spring|summer|autumn|winter|Christmas|Easter)\b"
            r"|\blast (?:night|week|month|year|season)\b",
            re.I,
        ),
    ),
    # "How old is the broch?" asks for an age: years old or ago, an age reached, when it was
    # born, built or founded. XQuAD's seven such questions are answered "at age 39", "515
    # million years" (ago), "over the age of 18"; a count of something else ("Thirty-two at the
    # moment", her hives) does not say how old the beekeeper is.
    "age": (
        re.compile(r"^\s*how old\b", re.I),
        re.compile(
            rf"(?:{_NUMBER})[\s-]*(?:(?:million|thousand|hundred)[\s-]+)?(?:{_TIME_UNITS})"
            r"(?:[\s-]+of age|[\s-]+old|\s+ago)\b|\b(?:age[ds]?|aging|ageing)\b"
            rf"|\b(?:born|built|founded|established|dat(?:es|ed|ing) (?:from|back))\b|{_YEAR}",
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
            rf"|{SIZE}",
            re.I,
        ),
    ),
    # "How much memory does the string take?", "What is the largest file size a reader must
    # accept?": a quantity of data, in bytes or bits with their prefixes.
    "data size": (
        re.compile(
            r"\bhow much (?:memory|RAM|storage|disk space|bandwidth)\b"
            r"|\b(?:file|upload|download|attachment|message|disk|memory|heap|cache)[\s-]sizes?\b",
            re.I,
        ),
        re.compile(
            r"\d[\d,.]*\s*(?:[KMGTPE]i?B|kB|bytes?|(?:kilo|mega|giga|tera|peta)bytes?"
            r"|[KMGT]bit|(?:kilo|mega|giga)bits?)\b",
        ),
    ),
    # "How much electricity does the dam generate?", "How much energy did the roofs save?": an
    # amount of energy or power with its unit, or a share of the energy used.
    "energy": (
        re.compile(r"\bhow much (?:energy|electricity)\b", re.I),
        re.compile(
            r"\d[\d,.]*\s*(?:thousand |million |billion )?(?:[kMGT]?Wh?\b|[kMGT]?J\b|kcal\b"
            r"|BTU\b|hp\b|(?:kilo|mega|giga|tera)?(?:watt|joule)s?\b|(?:kilo)?calories\b"
            r"|horsepower\b)"
            rf"|\b(?:{_ENERGY_WORDS})\b.*\d\s?(?:%|percent\b|per cent\b)"
            rf"|\d\s?(?:%|percent\b|per cent\b).*\b(?:{_ENERGY_WORDS})\b",
            re.I,
        ),
    ),
}
# "What is the phone number for the taxis?", "What is the warden's email address?": contact
# details, which documents write as digits or an address, never in other words. Near misses of
# letters, guides and notices ask for them as often as for prices.
_PHONE_ASKED = (
    r"(?<!how many )\b(?:phone|telephone|mobile|fax|contact) numbers?\b"
    r"|\bwhat number (?:do|should|can|must) (?:I|we|you) (?:call|ring|phone|dial)\b"
)
_CONTACT = {
    "phone number": (
        re.compile(_PHONE_ASKED, re.I),
        # Seven digits or more, each after at most one space, dash, dot or bracket.
        re.compile(r"\d(?:[\s().-]?\d){6,}"),
    ),
    "email address": (
        re.compile(r"\be-?mail (?:address|addresses)\b", re.I),
        re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    ),
}
_MEASURES.update(_CONTACT)
_HOW_MANY_UNITS = re.compile(rf"\bhow many ({_UNITS})\b", re.I)
# "How much power does it use in watts?" names its unit at the end.
_IN_UNITS = re.compile(rf"^\s*(?:how|what)\b.*\bin ({_UNITS})\s*\??\s*$", re.I)


def measure(question: str) -> str | None:
    """The measure `question` asks for by name ("money", "duration", or a unit such as
    "tons"), if any."""
    named = _IN_UNITS.search(question)  # "How much power ... in watts?": watts, not energy
    if named:
        return named.group(1).lower()
    for name, (asks, _) in _MEASURES.items():
        if asks.search(question):
            return name
    unit = _HOW_MANY_UNITS.search(question)
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
    # A ticket names what is priced, as a fare does: "a ticketed event" is not what a ferry
    # ticket is.
    "money": re.compile(rf"\b(?:{_MONEY_VERB}|{_PRICES}|ticket(?:s|ed)?|much|money)\b", re.I),
    "worth": re.compile(r"\b(?:worth|much)\b", re.I),
    "duration": _HOW_LONG,
    "time elapsed": _HOW_LONG,
    "clock time": re.compile(r"\btimes?\b", re.I),
    "date": re.compile(r"\b(?:year|date)\b", re.I),
    "age": re.compile(r"\b(?:old|age[ds]?)\b", re.I),
    "chair": re.compile(_CHAIR, re.I),
    "difference": re.compile(rf"\b(?:much|{_COMPARATIVES})\b", re.I),
    "phone number": re.compile(
        r"\b(?:phone|telephone|mobile|fax|contact|numbers?|call|ring|dial)\b", re.I
    ),
    "email address": re.compile(r"\b(?:e-?mail|address|addresses)\b", re.I),
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


# What a question asks the price of: "How much does a new library card cost?", "How much is a
# ferry ticket to Skarra?", "What is the price of a pack of Dosafen?" ask about a card, a ticket, a
# pack; the last word before the verb, a preposition or the end.
_PRICE_AUX = r"(?:does|do|did|will|would|is|are|was|were|has|have|had|can|could|should|might)"
_PRICE_VERB = r"(?:cost|costs|charge|charges|charged|pay|pays|paid|spend|spent|worth)"
_PRICED = (
    re.compile(r"\bcharge[sd]?\s+(?:\w+\s+)?for\s+(.+)$", re.I),
    re.compile(rf"\bhow much(?: money)?\s+{_PRICE_AUX}\s+(.+?)\s+{_PRICE_VERB}\b", re.I),
    re.compile(r"\bhow much\s+(?:is|are|was|were|will be)\s+(.+)$", re.I),
    re.compile(rf"\b(?:{_PRICES})\s+(?:of|for)\s+(.+)$", re.I),
)
_PRICED_END = re.compile(
    r"\s(?:for|of|to|in|at|on|with|per|from|by|each|every|if|when|after|before|than)\s",
    re.I,
)
_PRONOUNS = {"it", "this", "that", "they", "these", "those", "he", "she", "we", "i", "you", "one"}


def priced(question: str) -> str | None:
    """The thing a question asks the price of (`_PRICED`), by its last word; None when it asks
    of a pronoun ("How much does it cost to ...?") or in no such form."""
    text = question.strip().rstrip("?").strip()
    for form in _PRICED:
        found = form.search(text)
        if found:
            thing = _PRICED_END.split(f" {found.group(1)} ", maxsplit=1)[0]
            words = re.findall(r"[\w'-]+", thing)
            if words and words[-1].lower() not in _PRONOUNS:
                return words[-1]
            return None
    return None
