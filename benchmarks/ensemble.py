"""An ensemble probe: several trained models' word probabilities averaged, then decoded as the
tagger decodes (Viterbi over BIO per sentence), scored on BC5CDR dev beside each model alone.
What an ensemble would buy before one is trained and distilled (issue 14). Dev only: test is
scored once per final recipe, and an ensemble is not one yet.

    python benchmarks/ensemble.py MODEL_DIR MODEL_DIR [...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

from workbench.core import Document
from workbench.core.context import with_running_context
from workbench.formats import conll
from workbench.model.decode import TagTable, decode, viterbi
from workbench.model.evaluate import score
from workbench.model.predict import Tagger
from workbench.model.windows import MAX_CONTEXT


def main() -> None:
    models = sys.argv[1:]
    # each model takes what it reads of the running text (tsv sentences, as a project's)
    docs = list(with_running_context(conll.read(BC5CDR / "devel.tsv"), MAX_CONTEXT))
    offsets = np.cumsum([0] + [len(d.tokens) for d in docs])
    print(header("Ensemble probe: word probabilities averaged, BC5CDR dev"))
    print("| model(s) | dev F1 | Chemical F1 | Disease F1 |\n|---|---|---|---|")
    probs: list[np.ndarray] = []
    taggers = [Tagger(path, device="cpu") for path in models]
    if any(t.tags != taggers[0].tags for t in taggers):
        raise SystemExit("the models must have the same tags, in the same order")
    for path, tagger in zip(models, taggers, strict=True):
        probs.append(np.concatenate([pred.probs for pred in tagger.predict(docs)]))
        _row(f"`{path}`", docs, offsets, probs[-1], taggers[0].table)
    if len(probs) > 1:
        _row(f"the {len(probs)} averaged", docs, offsets, np.mean(probs, axis=0), taggers[0].table)


def _row(
    name: str, docs: list[Document], offsets: np.ndarray, probs: np.ndarray, table: TagTable
) -> None:
    best = viterbi(probs, offsets, table)
    chosen = probs[np.arange(len(best)), best]
    m = score(docs, decode(docs, offsets, best, chosen, table))
    per = " | ".join(f"{m['per_label'][k]['f1']:.4f}" for k in sorted(m["per_label"]))
    print(f"| {name} | {m['f1']:.4f} | {per} |")


if __name__ == "__main__":
    main()
