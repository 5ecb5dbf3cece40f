"""Learning curves on BC5CDR: `workbench simulate` with mnlp and random, and the headline.

Runs the same command a user runs (resumable: run it again to continue), then
prints the F1-per-round table and how many labelled sentences and tokens each
strategy needed to reach 95% of the full-data F1 of the tagger benchmark.

    python benchmarks/learning_curve.py OUT_DIR [--rounds 10] [--seed 13 ...] [--full-f1 0.8324]
        [--batch 91] [--min-steps 850] [--cold-start] [--pool-sample 1000] [--report-only]
        [--against OTHER_OUT_DIR]

Issue 14's recipe from the literature: batches of about 2% of the pool (`--batch 91`), a
minimum of optimiser steps per round, warm against cold start (`--against` sets two runs
side by side), a scored sample of the pool.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

from workbench.active.simulate import Curve, mean_curves


def _curve(rows: list[dict[str, str]], strategy: str, x_key: str) -> Curve | None:
    return next((c for c in mean_curves(rows, x_key) if c.strategy == strategy), None)


def reach(rows: list[dict[str, str]], strategy: str, target: float) -> dict[str, float] | None:
    """The first round whose mean F1 over seeds reaches ``target``."""
    by_sentences, by_tokens = _curve(rows, strategy, "sentences"), _curve(rows, strategy, "tokens")
    if by_sentences is None or by_tokens is None:
        return None
    for i, f1 in enumerate(by_sentences.f1):
        if f1 >= target:
            return {
                "round": by_sentences.rounds[i],
                "f1": f1,
                "sentences": by_sentences.xs[i],
                "tokens": by_tokens.xs[i],
            }
    return None


def crossing_tokens(rows: list[dict[str, str]], strategy: str, f1: float) -> float | None:
    """Labelled tokens where the mean curve first reaches ``f1``, linear between rounds."""
    curve = _curve(rows, strategy, "tokens")
    points = list(zip(curve.xs, curve.f1, strict=True)) if curve else []
    if points and points[0][1] >= f1:
        return points[0][0]
    for (t0, f0), (t1, f1_) in pairwise(points):
        if f0 < f1 <= f1_:
            return t0 + (t1 - t0) * (f1 - f0) / (f1_ - f0)
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--seed", type=int, action="append")
    ap.add_argument("--full-f1", type=float, default=0.8324, help="the default recipe's test F1")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--batch", type=int, default=91, help="sentences queried per round")
    ap.add_argument("--min-steps", type=int, default=850)
    ap.add_argument("--cold-start", action="store_true", help="each round from the base model")
    ap.add_argument("--pool-sample", type=int, default=1000)
    ap.add_argument(
        "--against",
        type=Path,
        help="another run's OUT_DIR (a cold start against this warm one): both, on shared seeds",
    )
    ap.add_argument(
        "--report-only", action="store_true", help="print the tables of the rounds run so far"
    )
    a = ap.parse_args()
    seeds = a.seed or [13]
    cmd = [
        sys.executable, "-m", "workbench", "simulate",
        "--corpus", str(BC5CDR), "--out", str(a.out),
        "--strategy", "mnlp", "--seed-size", "100", "--batch", str(a.batch),
        "--min-steps", str(a.min_steps), "--pool-sample", str(a.pool_sample),
        "--rounds", str(a.rounds), "--device", a.device,
    ]  # fmt: skip
    cmd.append("--cold-start" if a.cold_start else "--warm-start")
    for s in seeds:
        cmd += ["--seed", str(s)]
    if not a.report_only:
        subprocess.run(cmd, check=True)

    every_row = read_rows(a.out)
    # Means and bands over the seeds whose every strategy ran the same rounds; a seed cut
    # short is shown on its own below, not averaged into the later rounds.
    last = last_rounds(every_row)
    top = max(last.values())
    strategies_all = {r["strategy"] for r in every_row}
    complete = sorted(
        {seed for _, seed in last if all(last.get((s, seed), -1) == top for s in strategies_all)},
        key=int,
    )
    rows = [r for r in every_row if r["seed"] in complete] or every_row
    pool_sents = sum(1 for b in (BC5CDR / "train.tsv").read_text().split("\n\n") if b.strip())
    pool_tokens = sum(1 for line in (BC5CDR / "train.tsv").read_text().splitlines() if line.strip())
    target = 0.95 * a.full_f1
    print(header("Learning curves: mnlp vs random on BC5CDR, bundled encoder"))
    print(
        (f"- `workbench {' '.join(cmd[3:])}`\n" if not a.report_only else recorded(a.out))
        + f"- pool: BC5CDR train, {pool_sents:,} sentences, {pool_tokens:,} tokens; scored on "
        f"test each round; target 95% of {a.full_f1} = {target:.4f}\n"
        + (
            f"- means and bands (lowest-highest F1) over seeds {', '.join(complete)}, "
            f"rounds 0-{top}\n"
            if complete
            else "- no seed has run every round yet: the rounds run so far\n"
        )
    )
    strategies = sorted({r["strategy"] for r in rows})
    print("| round | " + " | ".join(f"{s} sentences | {s} tokens | {s} F1" for s in strategies))
    print("|---" * (1 + 3 * len(strategies)) + "|")
    rounds = sorted({int(r["round"]) for r in rows})
    for rnd in rounds:
        cells = []
        for s in strategies:
            rs = [r for r in rows if r["strategy"] == s and int(r["round"]) == rnd]
            if not rs:
                cells += ["", "", ""]
                continue
            n = len(rs)
            f1s = [float(r["f1"]) for r in rs]
            band = f" ({min(f1s):.4f}-{max(f1s):.4f})" if n > 1 else ""  # the seeds' band
            cells += [
                f"{sum(int(r['sentences']) for r in rs) / n:,.0f}",
                f"{sum(int(r['tokens']) for r in rs) / n:,.0f}",
                f"{sum(f1s) / n:.4f}{band}",
            ]
        print(f"| {rnd} | " + " | ".join(cells) + " |")
    print()
    for s in strategies:
        hit = reach(rows, s, target)
        if hit is None:
            best = max(float(r["f1"]) for r in rows if r["strategy"] == s)
            print(f"- {s}: did not reach {target:.4f} (best F1 {best:.4f})")
        else:
            print(
                f"- {s}: reached {hit['f1']:.4f} at round {hit['round']:.0f} with "
                f"{hit['sentences']:,.0f} sentences ({hit['sentences'] / pool_sents:.1%}) and "
                f"{hit['tokens']:,.0f} tokens ({hit['tokens'] / pool_tokens:.1%})"
            )
    equal_f1(rows, strategies, "")
    # The same per seed, whose spread is the band around the means above.
    seeds_done = sorted({int(r["seed"]) for r in every_row})
    if len(seeds_done) > 1:
        print("\nPer seed:\n")
        for seed in seeds_done:
            mine = [r for r in every_row if int(r["seed"]) == seed]
            ran_to = last_rounds(mine)
            for s in (s for s in strategies if s != "random"):
                hit = reach(mine, s, target)
                if hit is not None:
                    print(
                        f"- seed {seed}, {s}: reached {hit['f1']:.4f} at round "
                        f"{hit['round']:.0f} with {hit['sentences'] / pool_sents:.1%} of the "
                        f"sentences"
                    )
                else:
                    print(
                        f"- seed {seed}, {s}: not at {target:.4f} by round "
                        f"{ran_to.get((s, str(seed)), -1)}"
                    )
            equal_f1(mine, strategies, f"seed {seed}, ")
    if a.against:
        compare(every_row, a.out.name, read_rows(a.against), a.against.name, target)


def read_rows(out: Path) -> list[dict[str, str]]:
    if not (out / "curves.csv").is_file():
        raise SystemExit(f"{out}: no curves.csv yet (no round has finished)")
    with (out / "curves.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise SystemExit(f"{out}: no round has finished yet")
    return rows


def recorded(out: Path) -> str:
    """What a run recorded of its settings, for a report of a run this script did not start
    (flags given to `--report-only` would only be guesses)."""
    try:
        config = json.loads((out / "state.json").read_text(encoding="utf-8"))["config"]
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"{out}: no readable state.json ({exc})") from None
    shown = ", ".join(f"{k.replace('_', '-')} {v}" for k, v in sorted(config.items()))
    return f"- the run's settings, as its state.json records them: {shown}\n"


def last_rounds(rows: list[dict[str, str]]) -> dict[tuple[str, str], int]:
    """(strategy, seed) to the last round it ran."""
    last: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["strategy"], r["seed"])
        last[key] = max(last.get(key, -1), int(r["round"]))
    return last


def compare(
    rows: list[dict[str, str]], name: str, other: list[dict[str, str]], other_name: str,
    target: float,
) -> None:  # fmt: skip
    """Two runs of the same recipe but one setting (warm against cold start), round by round,
    on the strategies and seeds both ran and the rounds both finished."""
    mine, theirs = last_rounds(rows), last_rounds(other)
    for strategy in sorted({s for s, sd in mine if (s, sd) in theirs}):
        shared = sorted({sd for s, sd in mine if s == strategy and (s, sd) in theirs}, key=int)
        # each seed on its own (they may have run to different rounds), then their means
        for seeds in [[sd] for sd in shared] + ([shared] if len(shared) > 1 else []):
            top = min(min(mine[strategy, sd], theirs[strategy, sd]) for sd in seeds)
            if top >= 1:  # round 0 alone compares nothing: it is the same model
                _compare_rounds(rows, name, other, other_name, target, strategy, seeds, top)


def _compare_rounds(
    rows: list[dict[str, str]], name: str, other: list[dict[str, str]], other_name: str,
    target: float, strategy: str, seeds: list[str], top: int,
) -> None:  # fmt: skip
    """One table: the two runs round by round, means over ``seeds``."""
    a, b = (
        [r for r in rs if r["strategy"] == strategy and r["seed"] in seeds
         and int(r["round"]) <= top]
        for rs in (rows, other)
    )  # fmt: skip
    print(
        f"\n{strategy}, {name} against {other_name}: seed(s) {', '.join(seeds)}, rounds "
        f"0-{top}" + (" (means over the seeds)" if len(seeds) > 1 else "") + "\n"
    )
    print(
        f"| round | sentences | {name} tokens | {name} F1 | {other_name} tokens | "
        f"{other_name} F1 | difference | {name} train s | {other_name} train s |"
    )
    print("|---" * 9 + "|")
    # per round, means over the seeds (each ran rounds 0..top on both sides): the column
    # named, with F1 beside it
    sa, ta, sec_a = (_curve(a, strategy, k) for k in ("sentences", "tokens", "train_s"))
    tb, sec_b = (_curve(b, strategy, k) for k in ("tokens", "train_s"))
    assert sa and ta and sec_a and tb and sec_b
    for rnd in range(top + 1):
        print(
            f"| {rnd} | {sa.xs[rnd]:,.0f} | {ta.xs[rnd]:,.0f} | {ta.f1[rnd]:.4f} | "
            f"{tb.xs[rnd]:,.0f} | {tb.f1[rnd]:.4f} | {ta.f1[rnd] - tb.f1[rnd]:+.4f} | "
            f"{sec_a.xs[rnd]:.0f} | {sec_b.xs[rnd]:.0f} |"
        )
    print()
    for label, rs in ((name, a), (other_name, b)):
        hit = reach(rs, strategy, target)
        print(
            f"- {label}: " + (
                f"reached {target:.4f} at round {hit['round']:.0f} ({hit['sentences']:,.0f} "
                f"sentences, {hit['tokens']:,.0f} tokens)" if hit
                else f"not at {target:.4f} by round {top}"
            )
        )  # fmt: skip


def equal_f1(rows: list[dict[str, str]], strategies: list[str], prefix: str) -> None:
    """At equal F1 whatever the target: random's last round against each strategy's curve."""
    if "random" not in strategies or not any(r["strategy"] == "random" for r in rows):
        return
    random = _curve(rows, "random", "tokens")
    assert random is not None
    last, f1, tokens = random.rounds[-1], random.f1[-1], random.xs[-1]
    for s in strategies:
        hit = reach(rows, s, f1) if s != "random" else None
        if hit is None:
            continue
        line = (
            f"- {prefix}at equal F1: random's round {last} reached {f1:.4f} with {tokens:,.0f} "
            f"tokens; {s} reached {hit['f1']:.4f} at round {hit['round']:.0f} with "
            f"{hit['tokens']:,.0f} tokens: random needed {tokens / hit['tokens']:.2f}x "
            "the tokens"
        )
        crossing = crossing_tokens(rows, s, f1)
        if crossing is not None:
            line += (
                f" ({crossing:,.0f} tokens where {s}'s curve crosses {f1:.4f}, linearly "
                f"between rounds: {tokens / crossing:.2f}x)"
            )
        print(line)


if __name__ == "__main__":
    main()
