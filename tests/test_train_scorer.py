"""The sentence scorer's trainer (`bench/train_scorer.py`) on scripted candidates: it learns the
rule that labelled them, keeps every weight at or above 0 and puts similarity's at 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import train_scorer  # noqa: E402

FEATURES = train_scorer.LEAD_FEATURES


def _questions(count: int, seed: int) -> list[train_scorer.Question]:
    """Questions of six candidates each, the answer held by the one whose similarity plus half
    its keyword share is highest; the other features are noise."""
    rng = np.random.default_rng(seed)
    keywords = FEATURES.index("keywords")
    made = []
    for n in range(count):
        features = rng.random((6, len(FEATURES)))
        truth = features[:, 0] + 0.5 * features[:, keywords]
        labels = truth == truth.max()
        made.append(train_scorer.Question("nq", f"nq:{n}", features, labels))
    return made


def test_the_trainer_learns_the_rule_that_labelled_the_sentences():
    weights = train_scorer.fit(_questions(300, 0))
    assert weights[0] == 1.0
    assert (weights >= 0).all()
    keywords = weights[FEATURES.index("keywords")]
    noise = np.delete(weights, [0, FEATURES.index("keywords")])
    assert 0.3 < keywords < 0.7, weights
    assert (noise < 0.15).all(), weights
    unseen = _questions(200, 1)
    led = [q.labels[int(np.argmax(q.features @ weights))] for q in unseen]
    assert np.mean(led) > 0.9


@pytest.mark.slow
def test_the_trainer_reproduces_the_shipped_lead_weights():
    """`bench/train_scorer.py --check` harvests every labelled sentence again (the long-document
    sets, NQ's choosing half, XQuAD in six languages) and learns `LEAD_WEIGHTS` within 0.01."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "train_scorer.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "LEAD_WEIGHTS match" in done.stdout
