"""An ensemble: several trained models' word probabilities averaged, then decoded as the
tagger decodes (Viterbi over BIO per sentence), scored beside each model alone (issue 14:
"an ensemble for the figure"). Dev chooses an ensemble; `--split test` scores a chosen one
once, for its final recipe (e.g. the same models refitted on train + dev).

    python benchmarks/ensemble.py MODEL_DIR MODEL_DIR [...] [--split dev|test] [--corpus DIR]
"""

from __future__ import annotations

import argparse
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

FILES = {"dev": "devel.tsv", "test": "test.tsv"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="trained model directories (same tags)")
    parser.add_argument("--split", choices=sorted(FILES), default="dev")
    parser.add_argument("--corpus", type=Path, default=BC5CDR, help="train/devel/test.tsv")
    args = parser.parse_args()
    # each model takes what it reads of the running text (tsv sentences, as a project's)
    docs = list(with_running_context(conll.read(args.corpus / FILES[args.split]), MAX_CONTEXT))
    offsets = np.cumsum([0] + [len(d.tokens) for d in docs])
    print(header(f"Ensemble: word probabilities averaged, {args.corpus.name} {args.split}"))
    print(
        f"| model(s) | {args.split} P | R | F1 | per label F1 | errors (boundary / spurious "
        "/ missed / type) |\n|---|---|---|---|---|---|"
    )
    probs: list[np.ndarray] = []
    taggers = [Tagger(path, device="cpu") for path in args.models]
    if any(t.tags != taggers[0].tags for t in taggers):
        raise SystemExit("the models must have the same tags, in the same order")
    for path, tagger in zip(args.models, taggers, strict=True):
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
    per = ", ".join(f"{k} {v['f1']:.4f}" for k, v in sorted(m["per_label"].items()))
    e = m["errors"]
    errors = (
        f"{e['boundary'] + e['boundary_and_type']} / {e['spurious']} / {e['missed']} / "
        f"{sum(e['type_confusions'].values())}"
    )
    print(
        f"| {name} | {m['precision']:.4f} | {m['recall']:.4f} | **{m['f1']:.4f}** | {per} "
        f"| {errors} |"
    )


if __name__ == "__main__":
    main()
