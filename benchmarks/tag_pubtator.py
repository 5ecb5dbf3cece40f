"""The raw-text path: `workbench tag` on the 500 CDR test abstracts, scored on PubTator offsets.

Each abstract (title + " " + abstract, the PubTator offset base) is one input
line; predicted entities are compared with the gold mentions by exact
(start, end, type). Compare with the token-level seqeval F1 of the same model
on test.tsv (benchmarks/train_accuracy.py).

    python benchmarks/tag_pubtator.py MODEL_DIR
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

from workbench.formats import pubtator


def main() -> None:
    model = sys.argv[1]
    gold_docs = pubtator.read(BC5CDR / "CDR_TestSet.PubTator.txt")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "abstracts.txt"
        src.write_text("".join(d.text + "\n" for d in gold_docs), encoding="utf-8")
        res = subprocess.run(
            [sys.executable, "-m", "workbench", "tag", str(src), "--model", model, "-f", "jsonl"],
            check=True,
            capture_output=True,
            text=True,
        )
    preds = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(preds) == len(gold_docs)
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for doc, rec in zip(gold_docs, preds, strict=True):
        assert rec["text"] == doc.text
        gold = {(s.start, s.end, s.label) for s in doc.spans}
        pred = {(e["start"], e["end"], e["label"]) for e in rec["entities"]}
        for label in {x[2] for x in gold | pred}:
            g = {x for x in gold if x[2] == label}
            p = {x for x in pred if x[2] == label}
            tp[label] += len(g & p)
            n_pred[label] += len(p)
            n_gold[label] += len(g)
    print(header("Raw-text tagging of the 500 CDR test abstracts, exact offsets vs PubTator gold"))
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
