"""Measures a question asks for by name: an age, a ticket's price, a sum in a game's coins, what
a piece of work is worth, a text's length. Asked where no sentence on the topic states one, the
answer says the documents cover the topic but not that figure."""

from __future__ import annotations

from pathlib import Path

from rag.text.measures import measure, priced, states

from .conftest import indexed_one


def test_how_old_asks_for_an_age():
    """An age is years old or ago, an age reached, or when something was born, built or founded
    (XQuAD's answers: "at age 39", "515 million years" ago, "over the age of 18"); a count of
    something else is none."""
    assert measure("How old is Ruth Aldiss?") == "age"
    assert measure("How old was Manning when he played Super Bowl 50?") == "age"
    assert measure("How often does the ferry run?") is None
    assert states("age", "He is the oldest quarterback to play in a Super Bowl at age 39.")
    assert states("age", "The broch was built about two thousand years ago.")
    assert states("age", "Members must be over the age of 18.")
    assert states("age", "She is fifty-four years old.")
    assert states("age", "The chapel dates from 1150.")
    assert not states("age", "Thirty-two at the moment, spread over four apiaries.")
    assert not states("age", "She keeps fourteen hives at Combe Hollow.")


def test_an_age_the_documents_do_not_give_is_a_near_miss(tmp_path: Path):
    """A transcript that names the beekeeper and counts her hives does not say how old she is."""
    transcript = (
        "Guest: Ruth Aldiss, beekeeper at Combe Hollow.\n\n"
        "HOST: How many hives do you keep now?\n\n"
        "RUTH: Thirty-two at the moment, spread over four apiaries. The biggest is at Combe "
        "Hollow itself, with fourteen hives.\n"
    )
    engine = indexed_one(tmp_path, "transcript.txt", transcript)
    ruth = engine.query("How old is Ruth Aldiss?")
    assert not ruth.found and ruth.missing == "age", ruth.text
    assert "do not seem to say how old" in ruth.text


def test_an_age_given_as_when_it_was_built_answers(tmp_path: Path):
    """A guide saying when the broch was built says how old it is."""
    guide = (
        "## The broch\n\nThe broch at Skellister is a round stone tower on a low headland. The "
        "broch was built about two thousand years ago, and its walls still stand four metres "
        "high.\n"
    )
    engine = indexed_one(tmp_path, "guide.md", guide)
    broch = engine.query("How old is the broch?")
    assert broch.found and "two thousand years ago" in broch.text, broch.text


def test_the_price_of_a_ticket_is_a_sum_of_money():
    """ "How much are tickets?" and "How much is a ferry ticket?" ask for a price as "How much is
    the rent?" does; naming a ticket otherwise asks for none."""
    assert measure("How much are tickets for the concert?") == "money"
    assert measure("How much is a ferry ticket for a car?") == "money"
    assert measure("What is the ticket number on my booking?") is None
    assert measure("How many tickets were sold?") is None


def test_how_much_charge_asks_for_electric_charge_not_a_fee():
    """ "How much charge does the solar panel give?" was read as a price and led by a charger's
    "costs around £150 to £200"; charge asked after "how much" is an amount of electricity,
    while "How much does the library charge ...?" still asks a fee."""
    assert measure("How much charge does the solar panel give in March?") is None
    assert measure("How much does the library charge for a new card?") == "money"
    assert measure("How much do they charge per night?") == "money"


def test_a_sum_in_the_documents_own_currency_answers(tmp_path: Path):
    """A rulebook prices things in its own coins: "worth five silver" is the sum "How much is a
    gold coin worth?" asks for (it was refused as a near miss); "cost three times as much" is a
    ratio, and "costs two hours" a time, not a sum."""
    assert states("money", "A gold coin is worth five silver.")
    assert states("money", "Each hint costs 3 tokens per level.")
    assert not states("money", "Coal cost three times as much in Ashford.")
    assert not states("money", "The repair costs two hours of work.")
    rules = (
        "## What is in the box\n\n- 40 silver coins and 12 gold coins\n- 4 warehouse mats\n\n"
        "## Money\n\nPlayers pay harbour fees in coins. A gold coin is worth five silver. Change "
        "is given from the bank.\n"
    )
    engine = indexed_one(tmp_path, "rules.md", rules)
    answer = engine.query("How much is a gold coin worth?")
    assert answer.found and "worth five silver" in answer.text, answer.text


def test_what_work_is_worth_and_how_long_a_text_may_be(tmp_path: Path):
    """ "How much is the group poster worth?" asks what it is worth, which a share of the marks
    says as well as a sum does, and "How long can the field report be?" is answered by a count
    of words: a course handbook's answers to both were refused as near misses of a sum of money
    and of a span of time. A figure of neither kind still answers neither."""
    assert measure("How much is the group poster worth?") == "worth"
    assert states("worth", "A group poster, presented in week 10: 30%.")
    assert states("worth", "The quiz is worth ten marks.")
    assert states("worth", "A gold coin is worth five silver.")
    assert not states("worth", "The poster session is in week 10.")
    assert measure("How long can the field report be?") == "duration"
    assert states("duration", "A field report of no more than 3,000 words.")
    assert not states("duration", "A field report, handed in on 9 April.")
    handbook = (
        "## Assessment\n\nYour mark is made up of two pieces of work:\n\n"
        "- A group poster, presented at the poster session in week 10: 30%.\n"
        "- An individual field report of no more than 3,000 words, due on 9 April: 70%.\n\n"
        "To pass the course you need an overall mark of at least 40%.\n"
    )
    engine = indexed_one(tmp_path, "handbook.md", handbook)
    worth = engine.query("How much is the group poster worth?")
    assert worth.found and "30%" in worth.text, worth.text
    length = engine.query("How long can the field report be?")
    assert length.found and "3,000 words" in length.text, length.text


def test_a_ticketed_event_does_not_price_a_ferry_ticket(tmp_path: Path):
    """A ticket names what is priced, as a fare does: a deposit for "a ticketed event" is no
    price of a ferry ticket for a car, while a sentence pricing the concert's tickets answers."""
    guide = (
        "## Getting there\n\nA car ferry sails to the island three times a day, and the crossing "
        "takes 50 minutes. Book a space for your car two weeks ahead in summer.\n\n"
        "## The concert\n\nBecause the concert is a ticketed event, we ask for a refundable "
        "damage deposit of £100. Tickets for the concert cost £8 at the door.\n"
    )
    engine = indexed_one(tmp_path, "guide.md", guide)
    ferry = engine.query("How much is a ferry ticket for a car?")
    assert not ferry.found and ferry.missing == "money", ferry.text
    concert = engine.query("How much are tickets for the concert?")
    assert concert.found and "£8" in concert.text, concert.text


def test_what_a_price_is_asked_of():
    """The thing a question asks the price of, by its last word: after "charge for", before
    "cost" or "worth", after "How much is", after "the price of"; none for a pronoun."""
    assert priced("How much does the library charge for a new library card?") == "card"
    assert priced("How much is charged for a replacement card?") == "card"
    assert priced("How much does travel insurance cost?") == "insurance"
    assert priced("How much is a ferry ticket to Skarra?") == "ticket"
    assert priced("What is the price of a pack of Dosafen?") == "pack"
    assert priced("How much is a gold coin worth?") == "coin"
    assert priced("How much does it cost to hire a bike?") is None
    assert priced("How much money is in the reserve?") is None


def test_a_price_of_something_else_is_a_near_miss(tmp_path: Path):
    """A sum in a sentence on the topic that prices something else (a reserved book, a trip)
    does not answer what a new library card or travel insurance costs; the sum of what is asked
    about answers, named in its sentence or in the title it stands under."""
    faq = (
        "# Greyford Library: questions and answers\n\n## Reserving\n\nReserving a printed book costs "
        "50p, which is charged to your library account when the book arrives. Your library card "
        "number is on the back of the card.\n\n## Travel\n\nOur reading trip to Bath costs "
        "£40 a person. We recommend travel insurance, which is not included.\n"
    )
    engine = indexed_one(tmp_path, "faq.md", faq)
    for question in (
        "How much does a new library card cost?",
        "How much does travel insurance cost?",
    ):
        answer = engine.query(question)
        assert not answer.found and answer.missing == "money", (question, answer.text)
    answer = engine.query("How much does it cost to reserve a printed book?")
    assert answer.found and "50p" in answer.text, answer.text
    paper = (
        "# Green roofs on terraced houses\n\n## Costs\n\nFitting cost an average of £9,400 per "
        "house, of which the council paid three quarters. Most owners said they would do it "
        "again.\n"
    )
    (tmp_path / "paper").mkdir()
    engine = indexed_one(tmp_path / "paper", "paper.md", paper)
    answer = engine.query("How much does a green roof cost to fit?")
    assert answer.found and "£9,400" in answer.text, answer.text


def test_a_date_given_only_by_a_cv_entry_line_is_quoted(tmp_path: Path):
    """A CV dates a job on the line under its title, in no sentence: those whole lines state
    the date asked for and are quoted; a title line naming a year is not."""
    cv = (
        "NOOR HADDAD\nData engineer\n\nEXPERIENCE\n\n"
        "Lead data engineer, Northfield Health Analytics, Leeds\nMarch 2022 – present\n"
        "- Lead a team of four engineers who maintain the hospital dashboards.\n\n"
        "Data engineer, Parcel & Co. (online retailer), Manchester\nJune 2018 – February 2022\n"
        "- Wrote the delivery-time forecasting pipeline used by customer service.\n"
        "- Built the company's first data warehouse on PostgreSQL.\n\n"
        "Parcel & Co. awards 2019\n\n"
        "- Mentored two graduate engineers through their first year at Parcel & Co.\n"
    )
    engine = indexed_one(tmp_path, "cv.txt", cv)
    answer = engine.query("When did she join Parcel & Co.?")
    assert answer.found and answer.text.split(" [1]")[0].endswith("June 2018 – February 2022")
    assert "awards 2019" not in answer.text, answer.text
