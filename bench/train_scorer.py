"""Learn the weights that order an answer's quoted sentences (`extractive.LEAD_WEIGHTS`) from
sentence-level labels, and print their validation by document.

    python bench/train_scorer.py [--xquad N] [--cache FILE] [--check]

The best `CANDIDATES` sentences `compose` weighs (by the weights that choose what is quoted) are
recorded with their features (`LEAD_FEATURES`: `extractive.FEATURES` and the token match) and
labelled by whether they hold the answer: a support string of every long-document set
(`bench/longform.py --set ...`: fifteen genres; not `longform.HELD_OUT`), an accepted short
answer of NQ dev's choosing half inside the gold passage (the held-out half stays for
`bench/qa.py`), XQuAD's answer span inside its paragraph in the six dev languages (N questions
each, the same ones in every language). A conditional logit learns which of a question's
candidates holds its answer, each of the three sources weighing alike; weights are kept at or
above 0 and scaled so that similarity's is 1.
Validation is by document: five folds, no document's sentences (an XQuAD article's in any
language) on both sides. Prints the lead (the best-scoring sentence holds the answer) per set
for the learned weights, the settings' weights that choose what is quoted and similarity alone;
the weights beside the shipped ones (`--check` exits 1 when one differs by more than 0.01); and
NQ answers with the quoted sentences chosen by either. `--cache` keeps the recorded sentences
for refitting."""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import pickle
import sys
import tempfile
import zlib
from pathlib import Path

import calibrate
import longform
import multilingual
import numpy as np
import qa
from common import print_table, read_jsonl, require, save
from scipy.optimize import minimize

import rag
import rag.answer.extractive as extractive
from rag.evaluation import normalise
from rag.text.asks import asked_kinds

# Every genre the project has written questions for, not the first five only: out of fold, the
# ten later ones and NQ are led a little better so (docs/benchmarks.md, nineteenth session); but
# the held-out sets, which measure what unseen documents get.
LONG_SETS = tuple(s for s in longform.SETS if s not in longform.HELD_OUT)
# What the lead weights weigh: the sentence features, and how well a sentence's words meet the
# question's (`extractive.token_match`), which costs a forward pass and so is computed only for
# the sentences an answer may quote.
LEAD_FEATURES = (*extractive.FEATURES, "token_match")
# The candidates of a question the lead is learned among: the best by the weights that choose
# what is quoted (an answer quotes three of them), so the token match is computed for few.
CANDIDATES = 10
FOLDS = 5
# A light pull of every weight towards 0, so that a feature no source needs stays out.
L2 = 1e-4
DECIMALS = 2
# Shipped weights count as reproduced within one step of their rounding: a sentence vector's last
# bits may differ between machines' matrix kernels.
REPRODUCED = 0.0101


@dataclasses.dataclass
class Question:
    """One question's candidate sentences: their features, which hold the answer, and the
    document it was validated by."""

    set: str  # "nq", "xquad-<language>" or "long-<set>"
    group: str
    features: np.ndarray
    labels: np.ndarray


class Recorder:
    """Records the features of every sentence `compose` scores, through its feature seam."""

    def __init__(self) -> None:
        self.last: tuple[np.ndarray, list[str], list[str]] | None = None
        self._features = extractive.sentence_features

    def __enter__(self) -> Recorder:
        def recording(*args, **kwargs):
            features = self._features(*args, **kwargs)
            sentences, passages = args[3], args[4]
            sources = [Path(passages[s.passage].source).stem for s in sentences]
            self.last = (features, [s.text for s in sentences], sources)
            return features

        extractive.sentence_features = recording
        return self

    def __exit__(self, *_: object) -> None:
        extractive.sentence_features = self._features

    def take(
        self,
        engine: rag.RAG,
        question: str,
        set_name: str,
        group: str,
        answers: list[str],
        read=str.lower,
        gold: set[str] | None = None,
    ) -> Question | None:
        """The last question's record: its `CANDIDATES` best sentences by the weights that choose
        what is quoted, with their `LEAD_FEATURES` (the token match by `engine`'s model), each
        labelled by whether it holds one of `answers` (both as `read` gives them), in a `gold`
        file (by name without suffix) where the answering one is known: an answer's words in
        another document ("1990") do not answer. None when it quoted nothing, held no answer
        among them or asked for a view (views are ordered by similarity, `speaking_order`)."""
        if self.last is None or "opinion" in asked_kinds(question):
            return None
        features, texts, sources = self.last
        top = np.argsort(-(features @ extractive.feature_weights(engine.settings)), kind="stable")
        top = top[:CANDIDATES]
        wanted = [read(a) for a in answers]
        labels = np.asarray(
            [
                any(a in read(texts[i]) for a in wanted) and (gold is None or sources[i] in gold)
                for i in top
            ]
        )
        if not labels.any():
            return None
        searched = engine.retriever.expand_acronyms(question)
        matched = extractive.token_match(searched, [texts[i] for i in top], engine.embedder)
        matched = np.zeros(len(top)) if matched is None else matched
        return Question(set_name, group, np.column_stack([features[top], matched]), labels)


def long_documents(recorder: Recorder, work: Path) -> list[Question]:
    found = []
    for name in LONG_SETS:
        questions = read_jsonl(require(longform.SETS[name]))
        engine = rag.RAG(index=work / name / "index")
        engine.ingest(longform.documents(questions, work / name))
        for q in questions:
            if not q["found"] or not q["support"]:
                continue
            recorder.last = None
            engine.query(q["q"])
            item = recorder.take(
                engine,
                q["q"],
                f"long-{name}",
                f"{name}:{q['doc']}",
                q["support"],
                normalise,
            )
            found += [item] if item else []
    return found


def nq_runs() -> tuple[rag.RAG, list[dict]]:
    """NQ dev's choosing half, each question with its retrieved passages."""
    choosing, _held_out = calibrate.load_questions(100_000)
    engine = calibrate.build_index("nq", calibrate.NQ / "corpus.jsonl.gz")
    return engine, calibrate.retrieve_all(engine, choosing, engine.settings.top_k)


def natural_questions(recorder: Recorder, engine: rag.RAG, runs: list[dict]) -> list[Question]:
    found = []
    for run in runs:
        recorder.last = None
        qa._compose(engine, run, run["with_gold"], engine.settings)
        group = f"nq:{sorted(run['gold'])[0]}"
        item = recorder.take(engine, run["q"], "nq", group, run["answers"], gold=run["gold"])
        found += [item] if item else []
    return found


def xquad(recorder: Recorder, count: int, work: Path) -> list[Question]:
    found = []
    for language in multilingual.LANGUAGES:
        paragraphs, questions = multilingual.load(language)
        articles = _articles(language)
        engine = multilingual.build(paragraphs, work / f"xquad-{language}")
        for item in multilingual.sample(questions, count):
            recorder.last = None
            engine.query(item["question"])
            group = f"xquad:{articles[item['paragraph']]}"  # the same article in every language
            q = recorder.take(
                engine,
                item["question"],
                f"xquad-{language}",
                group,
                item["answers"],
                str.casefold,
                {f"p{item['paragraph']:03d}"},
            )
            found += [q] if q else []
    return found


def _articles(language: str) -> list[int]:
    """The article of each XQuAD paragraph, in `multilingual.load`'s order."""
    with gzip.open(require(multilingual.XQUAD / f"xquad.{language}.json.gz"), "rt") as handle:
        data = json.load(handle)["data"]
    return [n for n, article in enumerate(data) for _ in article["paragraphs"]]


def _source(question: Question) -> str:
    """Long documents, NQ or XQuAD."""
    return question.set if question.set == "nq" else question.set.split("-")[0]


def fit(questions: list[Question]) -> np.ndarray:
    """Weights (similarity's scaled to 1) maximising the likelihood that a question's best
    sentence holds its answer; each source (long documents, NQ, XQuAD) weighs alike."""
    sources = {_source(q) for q in questions}
    counts = {s: sum(_source(q) == s for q in questions) for s in sources}
    share = np.asarray([len(questions) / len(sources) / counts[_source(q)] for q in questions])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for q, c in zip(questions, share, strict=True):
            s = q.features @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            held = p * q.labels
            total -= c * np.log(held.sum())
            grad -= c * ((held / held.sum()) @ q.features - p @ q.features)
        n = len(questions)
        return total / n + L2 * (w @ w), grad / n + 2 * L2 * w

    start = np.ones(len(LEAD_FEATURES))
    bounds = [(1e-6, None)] + [(0.0, None)] * (len(start) - 1)
    w = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds).x
    return w / w[0]


def _fold(group: str) -> int:
    return zlib.crc32(group.encode()) % FOLDS


def validate(questions: list[Question], baselines: dict[str, np.ndarray]) -> list[dict]:
    """Per set: the share of questions whose best sentence holds the answer under the learned
    weights (each fold scored by weights learned on the other four) and under each baseline."""
    hits: dict[str, np.ndarray] = {}
    for k in range(FOLDS):
        learned = fit([q for q in questions if _fold(q.group) != k])
        for q in (q for q in questions if _fold(q.group) == k):
            row = hits.setdefault(q.set, np.zeros(2 + len(baselines)))
            row[0] += 1
            for n, w in enumerate((learned, *baselines.values())):
                row[1 + n] += q.labels[int(np.argmax(q.features @ w))]
    return [
        {
            "set": name,
            "questions": int(row[0]),
            **{
                f"{n} lead": round(row[1 + i] / row[0], 3)
                for i, n in enumerate(("learned", *baselines))
            },
        }
        for name, row in sorted(hits.items())
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xquad", type=int, default=300, help="XQuAD questions per language")
    parser.add_argument("--cache", type=Path, help="keep the recorded sentences in this file")
    parser.add_argument("--check", action="store_true", help="exit 1 unless shipped = learned")
    args = parser.parse_args()
    shipped = np.asarray([extractive.LEAD_WEIGHTS[f] for f in LEAD_FEATURES])
    choosing = np.append(extractive.feature_weights(rag.Settings()).astype(float), 0.0)
    engine, runs = nq_runs()
    if args.cache and args.cache.exists():
        questions = pickle.loads(args.cache.read_bytes())
    else:
        with tempfile.TemporaryDirectory() as folder, Recorder() as recorder:
            work = Path(folder)
            questions = long_documents(recorder, work)
            questions += natural_questions(recorder, engine, runs)
            questions += xquad(recorder, args.xquad, work)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(questions))
    similarity = np.eye(len(LEAD_FEATURES))[0]
    rows = validate(questions, {"choosing": choosing, "similarity": similarity})
    print("Validation by document (5 folds): share of questions whose best sentence holds the")
    print(
        "answer, by the learned weights, the weights that choose what is quoted, similarity alone"
    )
    print_table(rows, list(rows[0]))
    learned = np.round(fit(questions), DECIMALS)
    weights = [
        {"feature": f, "learned": float(w), "shipped": float(s), "choosing": float(c)}
        for f, w, s, c in zip(LEAD_FEATURES, learned, shipped, choosing, strict=True)
    ]
    print_table(weights, list(weights[0]))
    same = bool(np.allclose(learned, shipped, rtol=0, atol=REPRODUCED))
    print("LEAD_WEIGHTS match" if same else "LEAD_WEIGHTS differ: ship the learned ones")
    # Choosing what to quote by the learned weights too answers worse: NQ's choosing half
    # answered by the whole of `compose` (margins, one document per answer) with each.
    named = dict(zip(LEAD_FEATURES, learned, strict=True))
    learned_settings = {name: float(named[f]) for f, name in extractive.CHOOSING_SETTINGS.items()}
    settings = dataclasses.replace(engine.settings, **learned_settings)
    answers = [
        {"choosing by": name, **calibrate.answer_metrics(engine, runs, chosen)}
        for name, chosen in (("settings", engine.settings), ("learned weights", settings))
    ]
    print("NQ choosing half, the quoted sentences chosen by each:")
    print_table(answers, list(answers[0]))
    saved = save("train_scorer", {"validation": rows, "weights": weights, "answers": answers})
    print(f"wrote {saved}")
    if args.check and not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
