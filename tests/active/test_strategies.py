"""The strategies on hand-made probability arrays."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.active.strategies import (
    bald,
    least_confidence,
    mnlp,
    rank,
    score_documents,
    token_entropy,
)

SURE = np.array([[0.98, 0.01, 0.01], [0.97, 0.02, 0.01], [0.99, 0.005, 0.005]])
UNSURE = np.array([[0.4, 0.35, 0.25], [0.5, 0.3, 0.2], [0.34, 0.33, 0.33]])
MIXED = np.array([[0.98, 0.01, 0.01], [0.4, 0.35, 0.25], [0.99, 0.005, 0.005]])


@pytest.mark.parametrize("scorer", [least_confidence, mnlp, token_entropy])
def test_the_most_uncertain_sequence_ranks_first(scorer: object) -> None:
    scores = [scorer(p) for p in (SURE, MIXED, UNSURE)]  # type: ignore[operator]
    assert rank(scores) == [2, 1, 0]


def test_values_are_what_the_formulas_say() -> None:
    assert least_confidence(SURE) == pytest.approx(1 - 0.98 * 0.97 * 0.99, abs=1e-9)
    assert mnlp(SURE) == pytest.approx(-np.mean(np.log([0.98, 0.97, 0.99])), abs=1e-9)
    uniform = np.full((2, 4), 0.25)
    assert token_entropy(uniform) == pytest.approx(np.log(4))


def test_lc_favours_long_sentences_and_cost_aware_corrects_it() -> None:
    short = np.tile([[0.9, 0.05, 0.05]], (3, 1))
    long = np.tile([[0.95, 0.03, 0.02]], (40, 1))
    assert rank(score_documents("lc", [short, long])) == [1, 0]
    assert rank(score_documents("lc", [short, long], cost_aware=True)) == [0, 1]
    # mnlp is normalised by length already: the less certain short one comes first.
    assert rank(score_documents("mnlp", [short, long])) == [0, 1]


def test_random_is_seeded() -> None:
    probs = [SURE] * 20
    a = score_documents("random", probs, seed=7)
    assert a == score_documents("random", probs, seed=7)
    assert a != score_documents("random", probs, seed=8)


def test_bald_is_zero_when_dropout_samples_agree_and_positive_when_they_do_not() -> None:
    same = np.stack([UNSURE] * 5)  # dropout off: every sample identical
    assert bald(same) == pytest.approx(0.0, abs=1e-9)
    disagree = np.stack(
        [
            np.array([[0.9, 0.05, 0.05]] * 3),
            np.array([[0.05, 0.9, 0.05]] * 3),
        ]
    )
    # H(mean) - mean H = 0.857 - 0.394 nats
    assert bald(disagree) == pytest.approx(0.463, abs=1e-3)
    assert rank([bald(same), bald(disagree)]) == [1, 0]


def test_empty_documents_and_unknown_strategy() -> None:
    empty = np.zeros((0, 3))
    assert score_documents("mnlp", [empty]) == [0.0]
    with pytest.raises(ValueError, match="unknown strategy"):
        score_documents("margin", [SURE])
