"""Timing of one `workbench retrain` round: 500 accepted sentences, 3 epochs, a 4,000-sentence pool.

The project: the first 500 BC5CDR train sentences as accepted training data, the
next 4,000 as the unlabelled pool, BC5CDR devel as dev (model selection), no
test split. Prints the time split between training, scoring dev, and scoring
the pool for the queue.

    python benchmarks/retrain_round.py PROJECT_DIR [--strategy mnlp]
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
    extra = sys.argv[2:] or ["--strategy", "mnlp"]
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
    t0 = time.perf_counter()
    subprocess.run([*wb, "retrain", "--epochs", "3", *extra], check=True)
    wall = time.perf_counter() - t0
    conn = sqlite3.connect(project / "workbench.db")
    timings, metrics = (
        json.loads(x)
        for x in conn.execute(
            "SELECT timings, metrics FROM rounds ORDER BY id DESC LIMIT 1"
        ).fetchone()
    )
    n_scores = conn.execute("SELECT COUNT(*) FROM queue_scores").fetchone()[0]
    print(header("One retrain round: 500 accepted sentences, 3 epochs, pool of 4,000"))
    print(
        f"- arguments: `retrain --epochs 3 {' '.join(extra)}`; pool documents scored: "
        f"{n_scores:,}; dev F1 {metrics['f1']:.4f}\n"
    )
    print("| phase | seconds | share |\n|---|---|---|")
    parts = {
        "training (3 epochs, dev pass each epoch)": timings["train_s"],
        "scoring dev with the chosen model": timings["evaluate_s"],
        "scoring the pool for the queue": timings["score_s"],
    }
    for name, sec in parts.items():
        print(f"| {name} | {sec:.0f} | {sec / wall:.0%} |")
    print(f"| whole command (start-up, loading, the rest) | {wall:.0f} | 100% |")


if __name__ == "__main__":
    main()
