"""Query strategies: small pure functions of a model's per-word probabilities.

Every scorer takes one document's (n_words, n_tags) probability array and
returns an uncertainty: the higher, the sooner the document should be shown.
`bald` takes (n_samples, n_words, n_tags) from Monte-Carlo dropout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

EPS = 1e-12
STRATEGIES = ("random", "lc", "mnlp", "entropy", "bald")


def least_confidence(probs: np.ndarray) -> float:
    """1 - P(best sequence); the sequence probability is the product of word maxima."""
    if len(probs) == 0:
        return 0.0
    return float(1.0 - np.exp(np.log(probs.max(axis=1) + EPS).sum()))


def mnlp(probs: np.ndarray) -> float:
    """Maximum normalised log-probability (Shen et al. 2017), negated: -mean log max p."""
    if len(probs) == 0:
        return 0.0
    return float(-np.log(probs.max(axis=1) + EPS).mean())


def token_entropy(probs: np.ndarray) -> float:
    """Mean entropy of the word distributions."""
    if len(probs) == 0:
        return 0.0
    return float(-(probs * np.log(probs + EPS)).sum(axis=1).mean())


def bald(samples: np.ndarray) -> float:
    """Mean mutual information between words' labels and the dropout masks (Houlsby et al.).

    H(mean p) - mean H(p), per word, averaged: zero when the samples agree.
    """
    if samples.shape[1] == 0:
        return 0.0
    mean = samples.mean(axis=0)
    h_mean = -(mean * np.log(mean + EPS)).sum(axis=-1)
    mean_h = -(samples * np.log(samples + EPS)).sum(axis=-1).mean(axis=0)
    return float(np.maximum(h_mean - mean_h, 0.0).mean())


SCORERS: dict[str, Callable[[np.ndarray], float]] = {
    "lc": least_confidence,
    "mnlp": mnlp,
    "entropy": token_entropy,
    "bald": bald,
}


def random_scores(n: int, seed: int) -> list[float]:
    """A seeded permutation's worth of scores: the baseline every strategy must beat."""
    return [float(x) for x in np.random.default_rng(seed).random(n)]


def score_documents(
    strategy: str,
    probs: Sequence[np.ndarray],
    seed: int = 0,
    cost_aware: bool = False,
) -> list[float]:
    """One score per document. With ``cost_aware`` the score is divided by the words to read."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r} (one of {', '.join(STRATEGIES)})")
    if strategy == "random":
        scores = random_scores(len(probs), seed)
    else:
        scores = [SCORERS[strategy](p) for p in probs]
    if cost_aware:
        lengths = [p.shape[-2] if p.ndim >= 2 else 0 for p in probs]
        scores = [s / max(1, n) for s, n in zip(scores, lengths, strict=True)]
    return scores


def rank(scores: Sequence[float]) -> list[int]:
    """Indices from most to least uncertain; ties keep the original (import) order."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))
