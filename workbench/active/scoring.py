"""Scoring unlabelled documents with a model for a strategy: shared by `retrain` and `simulate`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.active.strategies import random_scores, score_documents
from workbench.core import Document
from workbench.errors import WorkbenchError
from workbench.model.predict import Tagger

BALD_SAMPLES = 10
# Unlabelled documents scored a round, a fresh random sample each time: the sample with which
# `simulate` reached issue 14's target on BC5CDR (1,000 of 4,460 sentences; BENCHMARKS.md,
# "Learning curves"), and what bounds a round's scoring on a pool of any size.
POOL_SAMPLE = 1000


def pool_sample_size(given: int | None, batch: int) -> int:
    """Documents to score a round: ``given`` (0: all), else 1,000 or ten batches, whichever
    is more, so that a batch is the most uncertain tenth of what was scored at least."""
    return max(POOL_SAMPLE, 10 * batch) if given is None else given


def check_pool_sample(size: int, batch: int) -> None:
    """A sample smaller than the batch could not fill it with scored documents."""
    if 0 < size < batch:
        raise WorkbenchError(
            f"a pool sample of {size} is smaller than the batch of {batch}: a round could not "
            "query its batch (--pool-sample: ten times the batch is usual)"
        )


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
