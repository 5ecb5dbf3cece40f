"""Scoring unlabelled documents with a model for a strategy: shared by `retrain` and `simulate`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.active.strategies import random_scores, score_documents
from workbench.core import Document
from workbench.model.predict import Tagger

BALD_SAMPLES = 10


def score_with_model(
    model_dir: Path,
    docs: Sequence[Document],
    strategy: str,
    *,
    seed: int,
    cost_aware: bool,
    device: str,
) -> list[float]:
    """One uncertainty per document; `random` needs no model and loads none."""
    if not docs:
        return []
    if strategy == "random":
        return random_scores(len(docs), seed)
    bald = strategy == "bald"
    preds = Tagger(model_dir, device=device).predict(docs, mc_samples=BALD_SAMPLES if bald else 0)
    arrays = [p.samples if bald and p.samples is not None else p.probs for p in preds]
    return score_documents(strategy, arrays, seed=seed, cost_aware=cost_aware)
