"""Each simulated round's dev-sample F1, side by side for two runs.

curves.csv scores every round on test; the dev sample (1,000 dev sentences) is what
chooses a round's epoch, so its best F1 is the figure to choose settings on (warm or cold
start). `simulate` writes it as curves.csv's `dev_f1`; runs made before that column have it
only in their log, read back here (a log that resumed a round counts that round's last try).

    python benchmarks/al_dev_f1.py WARM_OUT_DIR|WARM.log [--against COLD_OUT_DIR|COLD.log]
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

ROUND = re.compile(r"\[(\w+) seed (\d+)\] round (\d+):")
DEV = re.compile(r"dev F1 ([0-9.]+)")


def best_dev(run: Path) -> dict[tuple[str, int, int], float]:
    """(strategy, seed, round) to its dev F1, from a run's curves.csv or its log."""
    if run.is_dir():
        with (run / "curves.csv").open(encoding="utf-8") as fh:
            return {
                (r["strategy"], int(r["seed"]), int(r["round"])): float(r["dev_f1"])
                for r in csv.DictReader(fh)
                if r.get("dev_f1")
            }
    return _best_dev_in_log(run)


def _best_dev_in_log(log: Path) -> dict[tuple[str, int, int], float]:
    """The best dev F1 of each round's epochs; a round taken, not trained, has none."""
    best: dict[tuple[str, int, int], float] = {}
    key: tuple[str, int, int] | None = None
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if m := ROUND.match(line):
            key = (m[1], int(m[2]), int(m[3]))
            best.pop(key, None)  # tried again after a stop: the last try counts
        elif (m := DEV.search(line)) and key is not None:
            best[key] = max(best.get(key, 0.0), float(m[1]))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path, help="an output directory, or the log of an older run")
    ap.add_argument("--against", type=Path)
    ap.add_argument("--strategy", default="mnlp")
    a = ap.parse_args()
    mine = best_dev(a.run)
    theirs = best_dev(a.against) if a.against else {}
    name, other = a.run.stem, a.against.stem if a.against else ""
    for seed in sorted({s for st, s, _ in mine if st == a.strategy}):
        print(f"\n{a.strategy}, seed {seed}: the best dev-sample F1 of each round\n")
        print(f"| round | {name} |" + (f" {other} | difference |" if theirs else ""))
        print("|---|---|" + ("---|---|" if theirs else ""))
        for st, s, rnd in sorted(k for k in mine if k[0] == a.strategy and k[1] == seed):
            f = mine[st, s, rnd]
            line = f"| {rnd} | {f:.4f} |"
            if (st, s, rnd) in theirs:
                line += f" {theirs[st, s, rnd]:.4f} | {f - theirs[st, s, rnd]:+.4f} |"
            elif theirs:
                line += " | |"
            print(line)


if __name__ == "__main__":
    main()
