"""Timing of one `workbench retrain` round: 500 accepted sentences, 3 epochs, a 4,000-sentence pool.

The project: the first 500 BC5CDR train sentences as accepted training data, the
next 4,000 as the unlabelled pool, BC5CDR devel as dev (model selection), no
test split. Prints the time split between training, scoring dev, and scoring
the pool for the queue.

    python benchmarks/retrain_round.py PROJECT_DIR [--rounds 2] [--large-pool] [RETRAIN ARGS]

The project's first round is a quick one (no model yet: a bounded number of steps, one dev
pass on a sample); `--rounds 2` times the next, on the full recipe, as well. The pool is
not shrunk between rounds (nothing is accepted). A round scores a sample of it (1,000 by
default; `--pool-sample 0` among the retrain arguments scores all 4,000, issue 14's
measure). `--large-pool` adds the 6,347 sentences of NCBI-disease train and devel
(`../shared/data`) to the pool: 10,347, to show what the pool's size costs a round.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, ROOT, header

NCBI = ROOT.parent / "shared" / "data" / "ncbi-disease"


def main() -> None:
    project = Path(sys.argv[1])
    args = sys.argv[2:]
    rounds = 1
    large = "--large-pool" in args
    if large:
        args.remove("--large-pool")
    if "--rounds" in args:
        k = args.index("--rounds")
        rounds = int(args[k + 1])
        del args[k : k + 2]
    extra = args or ["--strategy", "mnlp"]
    wb = [sys.executable, "-m", "workbench", "--project", str(project)]
    blocks = (BC5CDR / "train.tsv").read_text(encoding="utf-8").split("\n\n")
    with tempfile.TemporaryDirectory() as tmp:
        seed, pool = Path(tmp) / "seed.tsv", Path(tmp) / "pool.tsv"
        seed.write_text("\n\n".join(blocks[:500]) + "\n\n", encoding="utf-8")
        more: list[str] = []
        if large:
            for name in ("train.tsv", "devel.tsv"):
                text = (NCBI / name).read_text(encoding="utf-8").strip("\n")
                more += text.split("\n\n")
        pool.write_text("\n\n".join(blocks[500:4500] + more) + "\n\n", encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "workbench", "init", str(project), "--base-model", "bundled"],
            check=True,
        )
        subprocess.run([*wb, "import", str(seed), "--split", "train"], check=True)
        subprocess.run([*wb, "import", str(pool), "--split", "pool"], check=True)
        subprocess.run([*wb, "import", str(BC5CDR / "devel.tsv"), "--split", "dev"], check=True)
    size = 4000 + len(more)
    print(header(f"One retrain round: 500 accepted sentences, 3 epochs, pool of {size:,}"))
    print(f"- arguments: `retrain --epochs 3 {' '.join(extra)}`, {rounds} rounds in a row\n")
    print(
        "| round | recipe | steps | training s | dev scoring s | pool scored | pool s "
        "| whole s | dev F1 |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for k in range(1, rounds + 1):
        t0 = time.perf_counter()
        subprocess.run([*wb, "retrain", "--epochs", "3", *extra], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        conn = sqlite3.connect(project / "workbench.db")
        timings, metrics, total = conn.execute(
            "SELECT timings, metrics, progress_total FROM rounds ORDER BY id DESC LIMIT 1"
        ).fetchone()
        n_scores = conn.execute(
            "SELECT COUNT(*) FROM queue_scores WHERE round_id = (SELECT MAX(id) FROM rounds)"
        ).fetchone()[0]
        conn.close()
        t, m = json.loads(timings), json.loads(metrics)
        recipe = m.get("note") or "full"
        train_s, dev_s, score_s = (t.get(p, 0) for p in ("train_s", "evaluate_s", "score_s"))
        print(
            f"| {k} | {recipe} | {total} | {train_s:.0f} | {dev_s:.0f} | {n_scores:,} "
            f"| {score_s:.0f} | {wall:.0f} | {m['f1']:.4f} |"
        )


if __name__ == "__main__":
    main()
