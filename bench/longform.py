"""Questions over long documents through the public API only: lead (the answer's first quoted
sentence, before its first [n], holds the answering sentence), support (a cited passage holds
it), answer (the answer text quotes it), abstention (`found` is right), near misses refused and
the median answer length in words, per question kind and overall, with query latency.

Sets: `dev` is ../shared/data/longform-dev (four reports and pages); `other` is
bench/data/longform-other.jsonl, questions this project wrote over documents of other genres:
the news analysis in ../shared/seeds/, and two technical guides that ship inside installed
packages (defusedxml's reStructuredText, read as text; python-dotenv's markdown), read from
their package metadata at run time and never copied into the project; `written` is
bench/data/longform-written.jsonl, questions over two documents this project wrote in
bench/data (a history in markdown, a file-format specification in reStructuredText), written
after the rules they check were chosen, as a check on genres nothing was tuned on; `analysis`
is bench/data/longform-analysis.jsonl, the same over two more (a news analysis whose opinions
name governments by their capitals, a research station's handbook in plain text), written on
2026-12-04 with opinion, method and definition questions, the kinds the other sets have least of;
`everyday` is bench/data/longform-everyday.jsonl, the same over two documents of the kinds people
keep and ask about (an allotment tenancy agreement in HTML with numbered clauses and defined terms,
an app's FAQ in markdown whose headings are questions), written on 2026-12-05 before any answer
was looked at; `seeds` is bench/data/longform-seeds.jsonl, 20 more questions on the news analysis
in ../shared/seeds/ alone, in other words than `other`'s, written on 2026-12-05 before any answer
was looked at, as a stand-in for the held-out questions on that article; `household` is
bench/data/longform-household.jsonl, 27 questions over two more genres this project wrote (a
housing co-op's meeting minutes in markdown with an action table, a kettle's manual in plain text
with numbered steps and a troubleshooting list), written on 2026-12-05 before any answer was
looked at; `notices` is bench/data/longform-notices.jsonl, 28 questions over two more (a
medicine's patient leaflet in plain text, an app's changelog in markdown whose entries are dated
by their headings), written the same way the same day; `kitchen` is
bench/data/longform-kitchen.jsonl, 26 questions over a recipe in markdown and a travel booking's
confirmation in HTML with a table of flights, written the same way the same day; `work` is
bench/data/longform-work.jsonl, 27 questions over a CV in plain text and a short research paper
in markdown, written the same way the same day; `papers` is bench/data/longform-papers.jsonl,
27 questions over a home insurance policy summary in markdown and a school newsletter in plain
text, written on 2026-12-05 (eleventh session) after that day's rules, to check them on
documents none of them was chosen on; `spoken` is bench/data/longform-spoken.jsonl, 33 questions
over a radio interview's transcript in plain text (speakers' names before each turn) and a short
story in markdown, written on 2026-12-05 (thirteenth session) before any answer was looked at,
genres of spoken and narrative text none of the other sets has; `letters` is
bench/data/longform-letters.jsonl, 34 questions over an email thread in plain text (headers,
signatures, a booking agreed over four messages) and a visitor's guide in markdown, written the
same day after that session's rules, as a check on documents none of them was chosen on;
`rules` is bench/data/longform-rules.jsonl, over a board game's rulebook in markdown and a
staff handbook's leave policy in plain text, written on 2026-12-06 before any answer was looked
at; `reports` is bench/data/longform-reports.jsonl, 34 questions over an IT incident report and
a textbook chapter explaining the tides, both in markdown, written the same day (eighteenth
session) before any answer was looked at; `records` is bench/data/longform-records.jsonl, 47
questions over a newspaper's obituary in HTML and a charity's annual report in markdown with a
table, written on 2026-12-07 before any answer was looked at and held out (`HELD_OUT`);
`courses` is bench/data/longform-courses.jsonl, 45 questions over a university course's handbook
in markdown with a timetable table and a job advert in HTML with a table of terms, written on
2026-12-07 (twenty-seventh session) before any answer was looked at and held out from every
learned weight likewise, though its first answers were then read for bugs; `forum` is
bench/data/longform-forum.jsonl, 49 questions over a web forum's thread in plain text (posters'
questions and replies, a problem solved over nine days) and a bus company's press release in
markdown (a list of changes, quotes, notes to editors), written on 2026-12-07 (twenty-eighth
session) before any answer was looked at and held out likewise; `outdoors` is
bench/data/longform-outdoors.jsonl, 56 questions over a group chat's export in plain text (six
friends plan a walking weekend, one line per message under its date, time and sender) and a
football match report in markdown (a stats table, line-ups, managers' quotes), written on
2026-12-07 (twenty-ninth session) before any answer was looked at and held out likewise; `civic`
is bench/data/longform-civic.jsonl, 50 questions over a council's grant guidance in markdown
(eligibility lists, numbered steps) and a personal blog post in HTML (a year of learning the
cello), written the same session after its rules, before any answer was looked at, and held out;
`events` is bench/data/longform-events.jsonl, 55 questions over a village festival's programme in
markdown (two days' timetables as tables, prices, a rain plan) and a garage's service report and
invoice in plain text (work done, advisories, a column of costs), written on 2026-12-08 (thirtieth
session) after that session's rules and before any answer was looked at, and held out.

Run: .venv/bin/python bench/longform.py [--set SET] [--kinds who,when] [--limit N] [--show]
(SET is one of `SETS`: dev, other, written, analysis, everyday, seeds, household, notices,
kitchen, work, papers, spoken, letters, rules, reports, records, courses, forum, outdoors,
civic, events.)
Prints a table and writes bench/results/longform-<set>.json.
"""

from __future__ import annotations

import argparse
import email
import importlib.metadata
import statistics
import tempfile
from pathlib import Path

from common import SHARED, print_table, read_jsonl, require, save

import rag
from rag.evaluation import evaluate, normalise, summarise

LONGFORM = SHARED / "data" / "longform-dev"
DATA = Path(__file__).parent / "data"
SETS = {
    "dev": LONGFORM / "questions.jsonl",
    "other": DATA / "longform-other.jsonl",
    "written": DATA / "longform-written.jsonl",
    "analysis": DATA / "longform-analysis.jsonl",
    "everyday": DATA / "longform-everyday.jsonl",
    "seeds": DATA / "longform-seeds.jsonl",
    "household": DATA / "longform-household.jsonl",
    "notices": DATA / "longform-notices.jsonl",
    "kitchen": DATA / "longform-kitchen.jsonl",
    "work": DATA / "longform-work.jsonl",
    "papers": DATA / "longform-papers.jsonl",
    "spoken": DATA / "longform-spoken.jsonl",
    "letters": DATA / "longform-letters.jsonl",
    "rules": DATA / "longform-rules.jsonl",
    "reports": DATA / "longform-reports.jsonl",
    "records": DATA / "longform-records.jsonl",
    "courses": DATA / "longform-courses.jsonl",
    "forum": DATA / "longform-forum.jsonl",
    "outdoors": DATA / "longform-outdoors.jsonl",
    "civic": DATA / "longform-civic.jsonl",
    "events": DATA / "longform-events.jsonl",
}
# Sets no weight or threshold is learned or chosen on, written after them to measure what
# documents and questions rag has never seen get (docs/benchmarks.md, twenty-third session;
# `courses`' answers were read for bugs after its first run, twenty-seventh).
HELD_OUT = ("records", "courses", "forum", "outdoors", "civic", "events")


def documents(questions: list[dict], folder: Path, form: str = "md") -> list[Path]:
    """The files the questions are about: `docs/...` under ../shared, `shared:PATH` likewise,
    `bench:NAME` a document this project wrote in bench/data, and `dist:PACKAGE:SUFFIX` a
    package's long description written to `folder` as PACKAGE.SUFFIX. With `form` "pdf" or
    "docx", a shared markdown report is read from its PDF or Word copy where ../shared has one
    (the same text in another format: what each loader makes of it)."""
    paths = set()
    folder.mkdir(parents=True, exist_ok=True)
    for doc in {q["doc"] for q in questions if q["doc"]}:
        if doc.startswith("dist:"):
            _, package, suffix = doc.split(":")
            metadata = importlib.metadata.distribution(package).read_text("METADATA") or ""
            path = folder / f"{package}{suffix}"
            path.write_text(email.message_from_string(metadata).get_payload(), encoding="utf-8")
            paths.add(path)
        elif doc.startswith("bench:"):
            paths.add(require(DATA / doc.removeprefix("bench:")))
        else:
            path = require(SHARED / doc.removeprefix("shared:"))
            copy = path.with_suffix({"pdf": ".pdf", "docx": ".pandoc.docx"}.get(form, ".md"))
            paths.add(copy if path.suffix == ".md" and copy.exists() else path)
    return sorted(paths)


def unmatched(questions: list[dict], paths: list[Path]) -> list[str]:
    """Support strings found in none of the documents (a changed document, or a typo)."""
    texts = [normalise(rag.read_document(p).text) for p in paths]
    return [s for q in questions for s in q["support"] if not any(normalise(s) in t for t in texts)]


def run(
    questions: list[dict], index: Path, show: bool = False, form: str = "md"
) -> tuple[list[dict], list[float]]:
    """Ingest the questions' documents into `index`, ask each question; per-question scores."""
    engine = rag.RAG(index=index)
    paths = documents(questions, index.parent, form)
    for missing in unmatched(questions, paths):
        print(f"warning: support string in no document: {missing!r}")
    report = engine.ingest(paths)
    if not report.ok:
        raise SystemExit(f"ingest failed: {report.failed}")
    results, times = evaluate(engine, questions)
    for result in results if show else ():
        mark = "".join(
            "+" if result[h] else "-" for h in ("lead", "support", "answer", "abstention")
        )
        print(f"{mark} [{result['kind']}] {result['q']}\n    {result['answer_text'][:300]}")
    return results, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="dev", help="question set")
    parser.add_argument("--kinds", help="only these kinds, comma-separated")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--show", action="store_true", help="print each answer")
    parser.add_argument(
        "--format",
        choices=["md", "pdf", "docx"],
        default="md",
        help="read the shared reports from their PDF or Word copies where they exist",
    )
    args = parser.parse_args()
    questions = read_jsonl(require(SETS[args.set]))
    if args.kinds:
        questions = [q for q in questions if q["kind"] in args.kinds.split(",")]
    questions = questions[: args.limit]
    with tempfile.TemporaryDirectory() as folder:
        results, times = run(questions, Path(folder) / "index", args.show, args.format)
    rows = summarise(results)
    print_table(rows, list(rows[0]))
    p50 = 1000 * statistics.median(times)
    print(f"query p50 {p50:.1f} ms over {len(times)} questions")
    payload = {"rows": rows, "p50_ms": p50, "results": results}
    name = args.set if args.format == "md" else f"{args.set}-{args.format}"
    print(f"wrote {save(f'longform-{name}', payload)}")


if __name__ == "__main__":
    main()
