"""Timing of one `workbench retrain` round: 500 accepted sentences, 3 epochs, a 4,000-sentence pool.

The project: the first 500 BC5CDR train sentences as accepted training data, the
next 4,000 as the unlabelled pool, BC5CDR devel as dev (model selection), no
test split. Prints the time split between training, scoring dev, and scoring
the pool for the queue.

    python benchmarks/retrain_round.py PROJECT_DIR [--rounds 2] [--strategy mnlp]

The project's first round is a quick one (no model yet: a bounded number of steps, one dev
pass on a sample); `--rounds 2` times the next, on the full recipe, as well. The pool is
not shrunk between rounds (nothing is accepted), so each scores 4,000 sentences.
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

from _common import BC5CDR, header


def main() -> None:
    project = Path(sys.argv[1])
    args = sys.argv[2:]
    rounds = 1
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
        pool.write_text("\n\n".join(blocks[500:4500]) + "\n\n", encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "workbench", "init", str(project), "--base-model", "bundled"],
            check=True,
        )
        subprocess.run([*wb, "import", str(seed), "--split", "train"], check=True)
        subprocess.run([*wb, "import", str(pool), "--split", "pool"], check=True)
        subprocess.run([*wb, "import", str(BC5CDR / "devel.tsv"), "--split", "dev"], check=True)
    print(header("One retrain round: 500 accepted sentences, 3 epochs, pool of 4,000"))
    print(f"- arguments: `retrain --epochs 3 {' '.join(extra)}`, {rounds} rounds in a row\n")
    print("| round | recipe | steps | training s | dev scoring s | pool s | whole s | dev F1 |")
    print("|---|---|---|---|---|---|---|---|")
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
        phases = " | ".join(f"{t.get(p, 0):.0f}" for p in ("train_s", "evaluate_s", "score_s"))
        print(
            f"| {k} | {recipe} | {total} | {phases} | {wall:.0f} | {m['f1']:.4f} |"
            + ("" if n_scores == 4000 else f" ({n_scores} scored)")
        )


if __name__ == "__main__":
    main()
