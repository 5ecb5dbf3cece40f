"""Distillation: one model taught by several (`train --teacher DIR --teacher DIR`).

An ensemble of taggers scores higher than any of them (two BC5CDR models averaged: dev 0.8597
against 0.8522 and 0.8487, BENCHMARKS.md), but `tag` would pay for every member. The student
learns from the gold tags and from the teachers' averaged word probabilities at once, and
tags at the speed of one model. Each teacher reads its own windows (its own context).
Measured, teachers on the sentences they were trained on give the gold tag a mean
probability of 0.9996: there the soft target is the gold one, and a student distilled on
the training set alone gains nothing (BENCHMARKS.md). The gain lies in text they never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core import Document
from workbench.errors import ModelError
from workbench.model.windows import model_dir_context

TEACHER_KEY = "teacher"  # per example: the teachers' probabilities of its labelled positions


def teachers_context(teachers: Sequence[str]) -> int:
    """The most running-text context any teacher reads (the documents must carry it)."""
    return max((model_dir_context(Path(t)) for t in teachers), default=0)


def teacher_probs(
    teachers: Sequence[str], docs: Sequence[Document], tags: Sequence[str], device: str
) -> list[np.ndarray]:
    """Per document, (n_words, n_tags) probabilities averaged over the teachers, in ``tags``'
    order. A teacher with other tags than the student's is refused."""
    from workbench.model.predict import Tagger

    total: list[np.ndarray] | None = None
    for path in teachers:
        tagger = Tagger(path, device=device)
        if sorted(tagger.tags) != sorted(tags):
            raise ModelError(
                f"teacher {path} has the tags {', '.join(tagger.tags)}; "
                f"the project's are {', '.join(tags)}"
            )
        order = [tagger.tags.index(t) for t in tags]
        probs = [p.probs[:, order] for p in tagger.predict(docs)]
        total = probs if total is None else [a + b for a, b in zip(total, probs, strict=True)]
        del tagger
    assert total is not None
    return [p / len(teachers) for p in total]


class DistillCollator:
    """The token-classification collator, with the teachers' rows stacked alongside: in the
    order of the batch's labelled positions (row by row, left to right)."""

    def __init__(self, base: Any):
        self.base = base

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        rows = [f[TEACHER_KEY] for f in features]
        # copies: the features are the dataset's own rows, needed again next epoch
        plain = [{k: v for k, v in f.items() if k != TEACHER_KEY} for f in features]
        batch: dict[str, Any] = self.base(plain)
        batch["teacher_probs"] = torch.tensor(np.concatenate(rows), dtype=torch.float32)
        return batch


def distill_loss(outputs: Any, labels: Any, teacher: Any, weight: float) -> Any:
    """(1 - weight) x the gold tags' cross-entropy + weight x the cross-entropy against the
    teachers' distribution, over the labelled positions."""
    import torch

    logp = torch.log_softmax(outputs.logits[labels != -100].float(), dim=-1)
    soft = -(teacher.to(logp.device) * logp).sum(-1).mean()
    return (1 - weight) * outputs.loss + weight * soft
