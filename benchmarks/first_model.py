"""`R` on the demo project: the time from a project without a model to its first model.

The project is `make demo-project`'s: BC5CDR train as accepted gold, BC5CDR devel as dev, the
20 raw abstracts as the pool. `R` in the annotate screen runs `workbench retrain` as a
subprocess; this runs the same command and times it, then prints the round's phases, its
recipe (a quick first round of a bounded number of steps) and its dev F1.

    python benchmarks/first_model.py [--rounds 2]

With `--rounds 2` a second `retrain` follows, on the full recipe (a model now exists).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

SAMPLE = BC5CDR.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args()
    print(header("A first model from `R` on the demo project"))
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "demo"
        wb = [sys.executable, "-m", "workbench", "--project", str(project)]
        subprocess.run(
            [sys.executable, "-m", "workbench", "init", str(project), "--base-model", "bundled"],
            check=True,
            capture_output=True,
        )
        for src, split in (
            (BC5CDR / "train.tsv", "train"),
            (BC5CDR / "devel.tsv", "dev"),
            (SAMPLE / "abstracts.txt", "pool"),
        ):
            subprocess.run(
                [*wb, "import", str(src), "--split", split], check=True, capture_output=True
            )
        print("| round | recipe | steps | wall s | training s | dev scoring s | pool s | dev F1 |")
        print("|---|---|---|---|---|---|---|---|")
        for k in range(1, a.rounds + 1):
            t0 = time.perf_counter()
            subprocess.run([*wb, "retrain"], check=True, capture_output=True)
            wall = time.perf_counter() - t0
            conn = sqlite3.connect(project / "workbench.db")
            timings, metrics, total = conn.execute(
                "SELECT timings, metrics, progress_total FROM rounds ORDER BY id DESC LIMIT 1"
            ).fetchone()
            conn.close()
            t, m = json.loads(timings), json.loads(metrics)
            recipe = m.get("note") or "full (3 epochs)"
            phases = " | ".join(f"{t.get(p, 0):.0f}" for p in ("train_s", "evaluate_s", "score_s"))
            print(f"| {k} | {recipe} | {total} | {wall:.0f} | {phases} | {m.get('f1', 0):.4f} |")


if __name__ == "__main__":
    main()
