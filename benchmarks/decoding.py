"""Decoding: each word's best tag (argmax) against the most probable BIO sequence (Viterbi),
the same model and windows, seqeval on BC5CDR dev (and test once, with --test).

    python benchmarks/decoding.py MODEL_DIR [--test]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

from workbench.formats import conll
from workbench.model.evaluate import score
from workbench.model.predict import DECODINGS, Tagger


def main() -> None:
    model = sys.argv[1]
    splits = ["devel"] + (["test"] if "--test" in sys.argv else [])
    print(header("Decoding: argmax against Viterbi over BIO"))
    print(f"- model: `{model}`\n")
    print("| split | decoding | F1 | Chemical F1 | Disease F1 |\n|---|---|---|---|---|")
    for split in splits:
        docs = conll.read(BC5CDR / f"{split}.tsv")
        for decoding in reversed(DECODINGS):
            m = score(docs, Tagger(model, device="cpu", decoding=decoding).tag(docs))
            per = m["per_label"]
            print(
                f"| {split} | {decoding} | {m['f1']:.4f} | "
                + " | ".join(f"{per[k]['f1']:.4f}" for k in sorted(per))
                + " |"
            )


if __name__ == "__main__":
    main()
