"""PubTator in, PubTator out: `workbench tag CDR_TestSet.PubTator.txt --format pubtator`,
its output read back and scored against the gold mentions of the same file by exact
(PMID, start, end, type). Compare with `workbench evaluate --split test` of the same model
(token-level seqeval on test.tsv, benchmarks/train_accuracy.py).

    python benchmarks/tag_pubtator.py MODEL_DIR
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header, tag_cmd

from workbench.formats import pubtator


def main() -> None:
    model = sys.argv[1]
    src = BC5CDR / "CDR_TestSet.PubTator.txt"
    gold_docs = pubtator.read(src)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tagged.pubtator"
        with out.open("w", encoding="utf-8") as fh:
            subprocess.run(
                tag_cmd(model, src, fmt="pubtator"),
                check=True,
                stdout=fh,
            )
        tagged = pubtator.read(out)
    assert [d.external_id for d in tagged] == [d.external_id for d in gold_docs]
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for doc, back in zip(gold_docs, tagged, strict=True):
        assert back.text == doc.text
        gold = {(s.start, s.end, s.label) for s in doc.spans}
        pred = {(s.start, s.end, s.label) for s in back.spans}
        for label in {x[2] for x in gold | pred}:
            g = {x for x in gold if x[2] == label}
            p = {x for x in pred if x[2] == label}
            tp[label] += len(g & p)
            n_pred[label] += len(p)
            n_gold[label] += len(g)
    print(header("PubTator in, PubTator out: the 500 CDR test abstracts vs their gold"))
    print(f"- model: `{model}`\n")
    print("| label | precision | recall | F1 | gold mentions |\n|---|---|---|---|---|")
    for label in [*sorted(n_gold), "micro"]:
        if label == "micro":
            t, p, g = sum(tp.values()), sum(n_pred.values()), sum(n_gold.values())
        else:
            t, p, g = tp[label], n_pred[label], n_gold[label]
        prec, rec = t / p if p else 0.0, t / g if g else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        print(f"| {label} | {prec:.4f} | {rec:.4f} | {f1:.4f} | {g} |")


if __name__ == "__main__":
    main()
