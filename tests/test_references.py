"""References, notes and near misses: passages that name every topic but answer none are told
from prose and ranked below it; a question whose figure no sentence states says so."""

from __future__ import annotations

from pathlib import Path

from rag.ui.render import render_sources

import rag
from rag.text.asks import asked_kinds, asks_open, gives
from rag.text.keywords import tokenize
from rag.text.measures import measure, per_period, states
from rag.text.references import is_reference, reference_share

from .conftest import indexed_one

NOTES = """\
The authority adopted its first regulations in 2000 and has revised them twice since.

| 12. | Lisa Levin et al., "Defining Serious Harm," Marine Policy, vol. 74 (2016), pp. 245-259. |
| 13. | ISA, Polymetallic Nodules, Retrieved March 3, 2024, https://example.org/nodules. |
| 14. | See CRS Insight IN12640, Seabed Mining Regulations, by the same author. |
"""


def test_references_and_lines_of_links_are_told_from_prose():
    assert reference_share("The authority adopted its rules in 2000. It revised them twice.") == 0
    notes = NOTES.split("\n\n", 1)[1]
    assert reference_share(notes) > 0.9
    assert 0.2 < reference_share(NOTES) < 0.9  # a sentence of prose above three notes
    contents = "- [Introduction](https://example.org/report#_Toc1)"
    assert is_reference(contents, contents)
    menu = "[Home](https://example.org/) [Products](https://example.org/products)"
    assert is_reference(menu, menu)
    prose = "The guide is [online](https://example.org/guide) for anyone to read."
    assert not is_reference(prose, prose)
    printed = "Exploration Licenses Issued Under the Act ......................... 13"
    assert is_reference(printed, printed)
    spaced = "Introduction . . . . . . . . 1"
    assert is_reference(spaced, spaced)
    trailing = 'He called them "things that make you go hmmm...."'
    assert not is_reference(trailing, trailing)


def test_every_kind_of_reference_counts_in_a_passages_share():
    """The share skips texts without any reference mark's literal text; each kind of mark must
    still be seen."""
    references = [
        "Lisa Levin, Marine Policy, vol. 74 (2016), pp. 245-259.",
        "Duck Facts. Retrieved 2006-11-02 from the archive of the society.",
        "The Pond Book, first edition. ISBN 978-0-00-000000-2 for the printed copy.",
        "Smith, J. Ducks of the world, doi:10.1000/182 in the journal of ponds.",
        "Agencies of the pond (hereinafter Agencies) report to the council.",
        'Pond Council, "Annual Report," https://example.org/report.pdf for the year.',
        "See CRS Insight IN12640 on the subject of the harbour.",
        "(see the notes below on the subject of the harbour.)",
        "Ibid., chapter 4 of the same report on the harbour and its ducks.",
        "^ Smith, John. A history of the harbour and its ducks.",
        "| 12. | ISA, Polymetallic Nodules, 2022.",
        "Introduction ................................ 1",
        "- [Background on the harbour](https://example.org/report#_Toc1)",
    ]
    for text in references:
        assert reference_share(text) > 0.5, text


def test_a_passage_of_notes_falls_below_the_passage_that_speaks(tmp_path: Path):
    """A report's notes table names every topic of the report: it ranked first for "What are
    polymetallic nodules?" in the CRS report, above the passages that answer."""
    titles = [
        "Polymetallic Nodules in the Clarion-Clipperton Zone",
        "Deep-Sea Mining and Sediment Plumes",
        "Seabed Mining Regulations at the Authority",
        "Polymetallic Nodules: A Resource Assessment",
        "Benthic Fauna of the Abyssal Plain",
        "The Law of the Sea at Forty",
        "Cobalt Supply Chains",
        "Nodule Fields of the Clarion-Clipperton Zone",
    ]
    notes = "\n".join(
        f'| {n}. | Author {n} et al., "{title}," Marine Policy, vol. {n} (2016), pp. {n}-{n + 9}. |'
        for n, title in enumerate(titles, 1)
    )
    prose = (
        "Polymetallic nodules are potato-shaped rocks that form on the abyssal seafloor over "
        "millions of years. Seabed mining companies hope to collect them for their nickel, "
        "cobalt and manganese, and the largest fields lie in the Pacific between Hawaii and Mexico."
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text(notes, encoding="utf-8")
    (docs / "report.md").write_text(prose, encoding="utf-8")
    (docs / "plumes.md").write_text(
        "Sediment plumes from deep-sea mining could spread for kilometers and smother the "
        "animals of the abyssal plain.",
        encoding="utf-8",
    )
    assert rag.RAG(index=tmp_path / "index").ingest([docs]).ok
    question = "What are polymetallic nodules in the Clarion-Clipperton Zone?"

    def gap(**settings: float) -> float:
        passages = rag.RAG(index=tmp_path / "index", **settings).search(question, k=3)
        best = {}
        for passage in passages:
            best.setdefault(Path(passage.source).name, passage.score)
        return best["report.md"] - best["notes.md"]

    # Without the demotion the notes' keywords bring them level with the answer.
    assert gap(reference_penalty=0) < 0.1
    assert gap() > 0.4


def test_markdown_emphasis_is_not_part_of_a_keyword():
    """ "_Project Vault_" gave the tokens "_project" and "vault_", so "What is Project Vault?"
    shared no keyword with the one sentence that defines it."""
    assert {"project", "vault"} <= set(tokenize("an initiative known as _Project Vault_"))
    assert "load_dotenv" in tokenize("Call `load_dotenv()` first.")


def test_initials_with_full_stops_are_the_word_a_question_types():
    """Reports write "U.S." where a question types "US": its letters alone were too short to be
    tokens, so the two never matched."""
    assert tokenize("the U.S. executive order (E.O.)") == tokenize("the US executive order (EO)")
    assert "us" in tokenize("The U.S.-China talks", "") and "14285" in tokenize("E.O. 14285")
    assert tokenize("version 1.2.3") == ["version"]  # figures with points are not initials


def test_a_question_ending_in_a_unit_names_it():
    """ "How much power does the kettle use in watts?" asks for watts as "How many watts ...?"
    does: a kettle's capacity in litres does not answer it."""
    assert measure("How much power does the kettle use in watts?") == "watts"
    assert measure("What is the river's length in miles?") == "miles"
    assert measure("Who lives in Paris?") is None
    assert states("watts", "The element is rated at 2.2 kW.")
    assert not states("watts", "Fill the kettle with at least 0.5 litres of water.")


def test_a_share_of_a_price_is_a_sum_of_money():
    """ "How much does it cost to cancel three weeks before?" is answered by "you pay 50% of the
    total price"; a share of anything else is no sum."""
    assert states("money", "Between 30 and 15 days before, you pay 50% of the total price.")
    assert states("money", "Late payers owe 10 per cent of the rent.")
    assert not states("money", "About 50% of the population voted.")


def test_an_amount_of_energy_is_a_measure(tmp_path: Path):
    """ "How much electricity does the dam generate?" asks for energy or power with its unit (or
    a share of the energy used): a report on the dam that gives neither says it covers the topic
    but not that; one that gives "450 MW" answers. "How much power does the president have?"
    asks for no unit."""
    assert measure("How much energy did the green roofs save?") == "energy"
    assert measure("How much power does the president have?") is None
    assert measure("How much power does the kettle use in watts?") == "watts"
    assert states("energy", "The turbines generate 450 MW at full flow.")
    assert states("energy", "The roofs cut heating energy use by 12%.")
    assert not states("energy", "The council paid 75% of the cost of the roofs.")

    question = "How much electricity does the Harrow Gorge dam generate?"
    dam = (
        "The Harrow Gorge dam was finished in 1974 and holds back the upper Marren. Its turbines "
        "were replaced in 2019, and the reservoir behind it supplies water to three towns."
    )
    (tmp_path / "without").mkdir()
    (tmp_path / "with").mkdir()
    engine = indexed_one(tmp_path / "without", "dam.md", dam)
    refused = engine.query(question)
    assert not refused.found and refused.missing == "energy", refused.text
    assert "amount of energy" in refused.text
    engine = indexed_one(tmp_path / "with", "dam.md", dam + " They generate up to 450 MW.")
    assert engine.query(question).found


def test_a_quantity_of_data_is_a_measure():
    """ "What is the largest file size a reader must accept?" asks for bytes: a specification
    that gives none is a near miss, "at most 4096 bytes" or "30 MB" answers. "How much space
    does a shed need?" asks no such thing."""
    assert measure("What is the largest file size a Tidelog reader must accept?") == "data size"
    assert measure("How much memory does the expanded string take?") == "data size"
    assert measure("How much space does a shed need?") is None
    assert states("data size", "Each line is at most 4096 bytes.")
    assert states("data size", "The resulting string occupies 3 GB (2.79 GiB) of memory.")
    assert not states("data size", "Readers must accept files of 3 B-format lines.")


def test_may_is_a_month_only_when_written_as_one():
    """ "A major version may break your notes" gives no date; "It opened in May" does."""
    assert not states("date", "A major version may break existing notes.")
    assert states("date", "It opened in May.")


def test_a_near_miss_names_the_missing_figure(tmp_path: Path):
    """The topic is covered but the figure asked for is not: the answer says so instead of
    quoting the closest sentence on the topic (a sum about something else does not count)."""
    report = (
        "The company plans to build a nodule processing plant in Texas. Members of Congress "
        "noted that new processing plants could take 10 to 20 years to build. The plant would "
        "refine nickel and cobalt for batteries made in the United States. The town's new "
        "library, opened the same year, raised £42,000 from its readers."
    )
    engine = indexed_one(tmp_path, "plant.txt", report)
    missing = engine.query("How much would it cost to build the nodule processing plant?")
    assert not missing.found and not missing.citations
    assert "do not seem to give the sum of money" in missing.text
    # Its closest passages are shown as related to the topic, not as an answer.
    assert missing.missing == "money" and missing.closest
    shown = render_sources(missing)
    assert "Related passages" in shown and "Not found" not in shown
    present = engine.query("How long could new processing plants take to build?")
    assert present.found and "10 to 20 years" in present.text
    off_topic = engine.query("Who won the 2018 football World Cup?")
    assert not off_topic.found and not off_topic.missing


def test_a_phone_number_or_an_email_address_is_asked_for_by_name(tmp_path: Path):
    """ "What is the phone number for the taxis?" is a near miss where the guide says only that
    taxis must be booked (a visitor's guide answered it with a car park's spaces); digits state a
    number and an address an email address, other figures neither. Counting phone numbers asks
    for no number."""
    guide = (
        "The island's two taxis must be booked by telephone a day ahead. The taxi drivers meet "
        "every ferry at the harbour and charge by the mile. The car park at the harbour has 30 "
        "spaces and is free for the first two hours."
    )
    engine = indexed_one(tmp_path, "guide.txt", guide)
    missing = engine.query("What is the phone number for the taxis?")
    assert not missing.found and missing.missing == "phone number"
    assert "do not seem to give the phone number" in missing.text
    assert measure("What number do I call to book a taxi?") == "phone number"
    assert measure("What is the warden's email address?") == "email address"
    assert measure("How many phone numbers does the office have?") is None
    assert states("phone number", "Book a taxi on 01632 960 123 or at the hotel.")
    assert not states("phone number", "Taxis cost £12 to the harbour, or 20 for two.")
    assert states("email address", "Write to the warden at warden@orwick-hostel.org.")


def test_a_figure_shares_more_than_the_measures_name_with_the_question(tmp_path: Path):
    """A price for something else does not answer "How much does it cost to hire X?" by sharing
    "cost" with it; the price of what was asked does, written as "38 pounds"."""
    handbook = (
        "Drones may be flown only by researchers who hold the station's flight permit. The permit "
        "requires a half-day course with the technician and a practical test. A visit costs 38 "
        "pounds per person per night for university researchers. Invoices are sent after "
        "departure and are payable within thirty days."
    )
    engine = indexed_one(tmp_path, "handbook.txt", handbook)
    drone = engine.query("How much does it cost to hire a drone?")
    assert not drone.found and "do not seem to give the sum of money" in drone.text, drone.text
    night = engine.query("How much does a night cost for a university researcher?")
    assert night.found and "38 pounds" in night.text, night.text


def test_a_price_asked_for_by_its_name_alone(tmp_path: Path):
    """ "What is the rent?" names nothing but the price: the sentence naming it answers, though it
    shares no other word. "How much is the annual premium?" asks for a sum too, and a charge
    that only mentions the premium does not give it."""
    notes = (
        "The rent is £640 a month and is paid by standing order on the first working day. The "
        "landlord repairs the boiler and the roof. Tenants keep the garden tidy and put the bins "
        "out on Tuesday evenings. If you cancel the contents policy after two weeks, we refund "
        "the premium for the days left, less a £25 administration charge."
    )
    engine = indexed_one(tmp_path, "notes.txt", notes)
    for question in ("What is the rent?", "How much is the rent?"):
        rent = engine.query(question)
        assert rent.found and rent.text.startswith("The rent is £640"), (question, rent.text)
    premium = engine.query("How much is the annual premium for the contents policy?")
    assert not premium.found and "do not seem to give the sum of money" in premium.text


def test_a_figure_per_period_is_asked_as_one(tmp_path: Path):
    """ "How many tons a year ...?" is not answered by a tonnage from one test; a yearly one
    answers it, and so does a price per night for "How much does a night cost?"."""
    report = (
        "A 2022 test of a commercial mining machine in the zone recovered over 3,000 tons of "
        "nodules. The company holds two exploration contracts for nodules in the zone and has "
        "applied for a commercial recovery permit for its nodule project."
    )
    engine = indexed_one(tmp_path, "report.txt", report)
    yearly = engine.query("How many tons of nodules a year does the company plan to mine?")
    assert not yearly.found and "do not seem to give the number of tons" in yearly.text
    plan = "The company plans to mine 1.3 million tons of nodules a year from 2027."
    (tmp_path / "docs" / "plan.txt").write_text(plan, encoding="utf-8")
    assert engine.ingest([tmp_path / "docs"]).ok
    planned = engine.query("How many tons of nodules a year does the company plan to mine?")
    assert planned.found and "1.3 million tons" in planned.text, planned.text
    assert per_period("How much does a night cost?") and per_period("rising 5% annually")
    assert not per_period("In 1955, he was asked to draw a second master plan.")


def test_a_time_of_day_is_asked_for_by_what_time(tmp_path: Path):
    """ "What time does the kitchen close?" is not answered by a sentence on the kitchen that
    gives no time of day, nor by a time of day for something else; "closes at 21:30" answers."""
    handbook = (
        "The station kitchen has two cookers, a large fridge and a dishwasher. Guests cook their "
        "own meals in the kitchen and wash up after themselves. The kitchen is shared; label "
        "your food, because anything unlabelled is cleared out every Sunday evening. Quiet "
        "hours run from 22:00 to 07:00."
    )
    engine = indexed_one(tmp_path, "handbook.txt", handbook)
    closing = engine.query("What time does the kitchen close?")
    assert not closing.found and "do not seem to give the time of day" in closing.text
    assert closing.missing == "clock time"
    (tmp_path / "docs" / "kitchen.txt").write_text(
        "The kitchen closes at 21:30 so the cook can clean up.", encoding="utf-8"
    )
    assert engine.ingest([tmp_path / "docs"]).ok
    closes = engine.query("What time does the kitchen close?")
    assert closes.found and "21:30" in closes.text, closes.text


def test_money_is_asked_by_name_and_written_in_pence_and_cents():
    """ "How much money ...?" asks for a sum, and "50p" or "99 cents" states one: the library
    FAQ's "Reserving a printed book costs 50p" was refused as a near miss."""
    assert measure("How much money has the US put into the crypto sector?") == "money"
    assert states("money", "Reserving a printed book costs 50p, charged on arrival.")
    assert states("money", "A stamp costs 99 cents.")
    assert not states("money", "The branch stays open until 10 p.m. on Thursdays.")


def test_figures_written_in_words_are_figures():
    """Stories, letters and transcripts write numbers in words: "fifty-two thousand pounds" is a
    sum of money (a story's boatyard quote was refused as a near miss), "fifty years" a span,
    "Thirty-two" a quantity and "fourteen degrees" a size; a weight in pounds is still no price
    and a word that merely contains a number is no figure."""
    assert states("money", "a quote for rebuilding the engine for fifty-two thousand pounds")
    assert states("money", "A jar of the summer honey is seven pounds fifty.")
    assert states("money", "A stamp costs forty pence.")
    assert not states("money", "about twenty-five pounds of honey from a strong colony")
    assert not states("money", "She lives in Tenbury and works on Stone Street.")
    assert states("time elapsed", "She had lived on Skarra for fifty years.")
    assert states("duration", "The lease runs for ninety-nine years.")
    assert gives(["quantity"], "Thirty-two at the moment, spread over four apiaries.")
    assert not gives(["quantity"], "Often at the moment, spread over the moor.")
    assert gives(["size"], "Not until the air is about fourteen degrees.")


def test_how_warm_asks_for_a_temperature_and_whose_account_is_no_frame():
    """ "How warm / cold / hot ...?" asks for a temperature as "How big ...?" asks for a size, and
    a leading "According to the skipper," leaves what is asked as it was ("why" a reason, "who" a
    name)."""
    assert asked_kinds("How warm does it have to be before she opens a hive?") == ["size"]
    assert asked_kinds("How cold does the lake get in winter?") == ["size"]
    assert asked_kinds("How does she keep the hives warm?") == ["method"]
    # How far ahead is a span of time before something, not a distance.
    assert asked_kinds("How far is the lighthouse from the pier?") == ["size"]
    assert asked_kinds("How far ahead should I book the ferry in summer?") == ["quantity"]
    assert asked_kinds("How far in advance must a room be cancelled?") == ["quantity"]
    assert asked_kinds("According to the skipper, why was the service cut?") == ["reason"]
    assert asked_kinds("According to Brenda, who runs the guest house?") == ["name"]
    assert asks_open("According to the skipper, why was the service cut?")
    assert not asks_open("According to the minutes, who chairs the committee?")


TEAL = """\
# The Pellworth teal

The Pellworth teal is a small dabbling duck of the salt marshes around Pellworth Bay. Its green
wing patch and pale cheek tell it from the common teal, and its call is a short double whistle.
The species was first described from a specimen shot on the bay in 1873.

## Food

The teal feeds at dusk on seeds, snails and the larvae of midges, sifting the mud at the tide's
edge. In hard winters the teal moves inland to flooded fields, where farmers once counted it a
pest of young wheat.

## Breeding

A teal pair usually stays together for only one breeding season, and the drake leaves before
the ducklings hatch. The duck lays eight to ten eggs in a nest of grass lined with down.

## Status

Numbers fell sharply after the bay's marshes were drained, and the teal was protected by a
county order that stood from 1921 to 1968. Today the teal nests on three reserves.
"""


def test_how_long_is_answered_by_a_span_of_what_was_asked(tmp_path: Path):
    """ "How long do teals live?" is not answered by the year a teal was first described, nor by
    how long a pair stays together, a span about the teal but not about its life: the answer says
    the documents do not say how long. How long a pair stays together is answered."""
    engine = indexed_one(tmp_path, "teal.md", TEAL)
    life = engine.query("How long do Pellworth teals live?")
    assert not life.found and "do not seem to say how long" in life.text, life.text
    pair = engine.query("How long does a Pellworth teal pair stay together?")
    assert pair.found and "one breeding season" in pair.text, pair.text
    # A year answers "How long has it been since ...?" and ends a span; alone it is no span.
    assert measure("How long has it been since the order was made?") == "time elapsed"
    assert states("time elapsed", "The order was made in 1921.")
    assert measure("How long do teals live?") == measure("For how long did it last?") == "duration"
    assert not states("duration", "The species was first described in 1873.")
    assert states("duration", "The order stood from 1921 to 1968.")
    assert states("duration", "Plague remained until the second quarter of the 19th century.")
    assert states("duration", "They kept French names well into the nineteenth century.")


def _missing_until_stated(
    tmp_path: Path, document: str, question: str, missing: str, says: str, stated: str, fact: str
) -> None:
    """`question` over `document` alone is a near miss that names `missing`, `says` what the
    documents do not seem to say and shows the closest passages; once a file saying `stated` is
    indexed beside it, the answer quotes `fact`."""
    engine = indexed_one(tmp_path, "document.txt", document)
    near = engine.query(question)
    assert not near.found and near.missing == missing and near.closest, near.text
    assert f"do not seem to {says}." in near.text
    (tmp_path / "docs" / "more.txt").write_text(stated, encoding="utf-8")
    assert engine.ingest([tmp_path / "docs"]).ok
    answered = engine.query(question)
    assert answered.found and fact in answered.text, answered.text


def test_when_something_happened_is_answered_by_a_time(tmp_path: Path):
    """ "When did X become Y?" is not answered by a sentence about X becoming Y that says no
    when: the answer says the documents do not say when. A dated sentence answers it; a question
    about when something is done ("When is rent due?") may be answered by a condition."""
    memo = (
        "Pakistan's defense minister Khwaja Asif acknowledged the growing ties with Washington. "
        "He addressed concerns about tensions with China over the new mineral deals. "
        "Analysts say the minister's remarks were aimed at Beijing as much as at home."
    )
    _missing_until_stated(
        tmp_path,
        memo,
        "When did Khwaja Asif become defense minister?",
        "date",
        "say when",
        "Khwaja Asif became defense minister in August 2024, after a cabinet reshuffle.",
        "August 2024",
    )
    assert measure("In what year was the treaty signed?") == measure("When were they wed?")
    assert measure("When is rent due?") is None and measure("When do kites fly best?") is None
    assert states("date", "The meeting ended at 5 pm on Tuesday.")
    assert states("date", "Plague struck in the 14th century.")
    assert states("date", "Boiler serviced 03/05/24 by the landlord's plumber.")
    assert not states("date", "He addressed concerns about tensions with China.")


def test_who_chairs_is_answered_where_a_chair_is_named(tmp_path: Path):
    """ "Who chairs the commission?" over documents that never speak of its chair is a near miss,
    not an answer quoting the commission's history; a sentence that names its chair answers."""
    history = (
        "The Northern Basin Commission is a body of river engineers set up in 1987. "
        "The commission shares flow measurements between the three riparian states. "
        "Talks on the new accord opened in 2021 under the commission's mediation."
    )
    _missing_until_stated(
        tmp_path,
        history,
        "Who chairs the Northern Basin Commission?",
        "chair",
        "say who chairs it",
        "Since 2019 the Northern Basin Commission has been chaired by the engineer Mira Halvorsen.",
        "Mira Halvorsen",
    )
    assert measure("Who is the chair of the Greyfield committee?") == "chair"
    assert measure("Who heads the department?") is None


def test_how_many_asks_a_count_which_a_share_does_not_give():
    """A share counts nothing: "How many visitors does the museum get?" was led by "Staff get a
    20% discount", which held a digit; a question asking how many further in ("the estimate of
    how many ...") asks a quantity, which a share may give."""
    assert asked_kinds("How many visitors does the museum get?") == ["count"]
    assert not gives(["count"], "Staff get a 20% discount in our shop.")
    assert gives(["count"], "It welcomes about 45,000 visitors a year, 20% of them children.")
    assert gives(["quantity"], "Staff get a 20% discount in our shop.")
    assert asked_kinds("What is the estimate of how many doctors dispense?") == ["quantity"]


def test_a_sum_of_money_is_no_count_but_answers_how_many_dollars():
    """A sum counts nothing either: "How many people work for Fenwick Valley Buses?" was led by a
    councillor's "A £1 fare will make a real difference ... getting to work", which held a digit,
    over "employs 190 people". "How many dollars ...?" asks for a sum, a quantity."""
    assert not gives(["count"], 'He said: "A £1 fare will make a real difference to students."')
    assert not gives(["count"], "Fitting cost an average of 9,400 pounds per house.")
    assert gives(["count"], "The company employs 190 people and runs 62 buses.")
    assert gives(["count"], "The bakery uses 20 pounds of flour a day.")
    assert asked_kinds("How many dollars will the US invest?") == ["quantity"]
    assert gives(["quantity"], "The US will invest $500 million.")
