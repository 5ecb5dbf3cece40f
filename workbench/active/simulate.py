"""Active learning against gold labels: how many labelled sentences each strategy needs.

The pool is a corpus' train split whose gold is revealed only for the
sentences a strategy queries. Every strategy (and `random`) starts from the
same seed set, uses the same training recipe and is scored on the test split
each round. State is saved after every round, so a stopped run resumes.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from workbench.active.scoring import check_pool_sample, pool_sample_size, score_with_model
from workbench.active.strategies import STRATEGIES, rank
from workbench.core import Document
from workbench.core.context import with_running_context
from workbench.errors import WorkbenchError
from workbench.formats import conll
from workbench.model.base import resolve_base_model
from workbench.model.train import ROUND_MAX_EVALS, Log, TrainOptions, fit

CSV_FIELDS = [
    "strategy",
    "seed",
    "round",
    "sentences",
    "tokens",
    "precision",
    "recall",
    "f1",
    "dev_f1",  # the kept epoch's, on the dev sample: the figure to choose settings on
    "train_s",
    "score_s",
]


# The recipe that reached issue 14's target on BC5CDR (BENCHMARKS.md, "Learning curves"):
# batches of 2% of the pool, at least 850 optimiser steps a round, 1,000 sentences scored
# (`scoring.POOL_SAMPLE`).
BATCH_SHARE = 0.02
TRAIN_FILES = ("train.tsv", "train.conll", "train.txt")


@dataclass
class SimulateOptions:
    corpus: Path
    out: Path
    strategies: list[str] = field(default_factory=lambda: ["mnlp"])
    seed_size: int = 100
    batch: int = 0  # sentences queried a round (0: BATCH_SHARE of the pool)
    rounds: int = 8
    budget: str = "sentences"  # or "tokens": each round buys batch x mean-length tokens
    seeds: list[int] = field(default_factory=lambda: [13])
    base_model: str = "bundled"
    epochs: int = 4
    min_steps: int = 850  # 100 sentences x 4 epochs would be 28 steps: too few to learn
    max_evals: int = ROUND_MAX_EVALS
    learning_rate: float = 1e-4
    batch_size: int = 16
    dev_size: int = 1000  # dev sentences for picking the best epoch (all: 0)
    device: str = "auto"
    cost_aware: bool = False
    # each round goes on from the previous round's model: 1-3 points above a cold start on the
    # dev sample from round 2 on (BENCHMARKS.md, "Warm start against cold start")
    warm_start: bool = True
    pool_sample: int | None = None  # scored per round (None: POOL_SAMPLE or 10 batches; 0: all)


@dataclass
class Corpus:
    labels: list[str]
    pool: list[Document]
    dev: list[Document]
    test: list[Document]


def _find(root: Path, *names: str) -> Path:
    for n in names:
        if (root / n).is_file():
            return root / n
    raise WorkbenchError(f"{root}: no {' or '.join(names)} (a BIO tsv corpus directory)")


def load_corpus(root: Path, dev_size: int, seed: int) -> Corpus:
    def read(path: Path) -> list[Document]:
        # the recipe's context, if any, from the file's neighbouring sentences (as a project's)
        return list(with_running_context(conll.read(path), TrainOptions().context))

    pool = read(_find(root, *TRAIN_FILES))
    dev = read(_find(root, "devel.tsv", "dev.tsv", "devel.conll", "dev.conll"))
    test = read(_find(root, "test.tsv", "test.conll"))
    if dev_size and len(dev) > dev_size:
        dev = random.Random(seed).sample(dev, dev_size)
    labels = sorted({s.label for d in pool + dev + test for s in d.spans})
    if not labels:
        raise WorkbenchError(f"{root}: the corpus has no entities")
    return Corpus(labels, pool, dev, test)


def _sized(opts: SimulateOptions, pool: int) -> SimulateOptions:
    """The defaults that scale with the pool: a batch of 2% of it, and 1,000 sentences or ten
    batches scored a round, whichever is more."""
    batch = opts.batch or max(1, round(BATCH_SHARE * pool))
    sample = pool_sample_size(opts.pool_sample, batch)
    return replace(opts, batch=batch, pool_sample=sample)


class Simulation:
    """One output directory: state.json, curves.csv, curves.png."""

    def __init__(self, opts: SimulateOptions, log: Log):
        for s in opts.strategies:
            if s not in STRATEGIES:
                raise WorkbenchError(f"unknown strategy {s!r} (one of {', '.join(STRATEGIES)})")
        if opts.budget not in ("sentences", "tokens"):
            raise WorkbenchError("--budget is sentences or tokens")
        if not opts.batch or opts.pool_sample is None:
            pool = sum(1 for _ in conll.read(_find(opts.corpus, *TRAIN_FILES)))
            opts = _sized(opts, pool)
            assert opts.pool_sample is not None
            scored = (
                f"{opts.pool_sample:,} scored a round"
                if 0 < opts.pool_sample < pool - opts.seed_size
                else "every unlabelled one scored"
            )
            log(f"Pool of {pool:,} sentences: batches of {opts.batch:,}, {scored}")
        assert opts.pool_sample is not None
        check_pool_sample(opts.pool_sample, opts.batch)
        self.opts = opts
        self.log = log
        self.strategies = list(dict.fromkeys([*opts.strategies, "random"]))
        opts.out.mkdir(parents=True, exist_ok=True)
        self.state_path = opts.out / "state.json"
        self.csv_path = opts.out / "curves.csv"
        self.state = self._load_state()

    def _config(self) -> dict[str, object]:
        keep = (
            "seed_size",
            "batch",
            "budget",
            "base_model",
            "epochs",
            "min_steps",
            "max_evals",
            "learning_rate",
            "batch_size",
            "dev_size",
            "cost_aware",
        )
        cfg = {k: v for k, v in asdict(self.opts).items() if k in keep}
        cfg["corpus"] = str(self.opts.corpus.resolve())
        # settings added later are recorded only when set, so older runs still resume
        if self.opts.warm_start:
            cfg["warm_start"] = True
        if self.opts.pool_sample:
            cfg["pool_sample"] = self.opts.pool_sample
        return cfg

    def _load_state(self) -> dict[str, object]:
        if self.state_path.exists():
            try:
                state = json.loads(self.state_path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                state = None
            saved, asked = state.get("config") if isinstance(state, dict) else None, self._config()
            if not isinstance(saved, dict) or not isinstance(state.get("runs"), dict):
                raise WorkbenchError(
                    f"{self.state_path}: not a simulation's state (damaged?); "
                    "use another --out to start over"
                )
            if saved != asked:
                absent = {"pool_sample": "0 (all)", "warm_start": False}  # recorded when set

                def shown(k: str, there: object, now: object) -> str:
                    if k == "warm_start":  # the flags that choose it
                        flag = {True: "--warm-start", False: "--cold-start"}
                        return f"{flag[bool(there)]} there, {flag[bool(now)]} now"
                    return f"{k.replace('_', '-')} {there} there, {now} now"

                differ = "; ".join(
                    shown(k, saved.get(k, absent.get(k)), asked.get(k, absent.get(k)))
                    for k in sorted(set(saved) | set(asked))
                    if saved.get(k) != asked.get(k)
                )
                raise WorkbenchError(
                    f"{self.opts.out} holds a simulation with other settings ({differ}); "
                    "use another --out or the same settings to resume it"
                )
            loaded: dict[str, object] = state
            return loaded
        return {"config": self._config(), "runs": {}}

    def _save_state(self) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state))
        tmp.replace(self.state_path)

    def _append_row(self, row: dict[str, object]) -> None:
        if self.csv_path.exists():
            with self.csv_path.open(encoding="utf-8") as fh:
                header = next(csv.reader(fh), [])
            if header != CSV_FIELDS:  # a run resumed from before a column was added
                self._write_rows(self.rows())
        new = not self.csv_path.exists()
        with self.csv_path.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
            if new:
                writer.writeheader()
            writer.writerow(row)

    def _write_rows(self, rows: Sequence[dict[str, str]]) -> None:
        """The whole csv again, under the current header (a missing column left empty)."""
        tmp = self.csv_path.with_suffix(".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS, restval="")
            writer.writeheader()
            writer.writerows(rows)
        tmp.replace(self.csv_path)

    def run(self) -> list[dict[str, str]]:
        o = self.opts
        for seed in o.seeds:
            corpus = load_corpus(o.corpus, o.dev_size, seed)
            base = resolve_base_model(o.base_model, self.log)
            seed_set = random.Random(seed).sample(
                range(len(corpus.pool)), min(o.seed_size, len(corpus.pool))
            )
            for strategy in self.strategies:
                self._run_one(corpus, base, strategy, seed, seed_set)
            if self._round0_maker().pop(str(seed), None) is not None:
                self._save_state()
            shutil.rmtree(self._round0_dir(seed), ignore_errors=True)
        return self.rows()

    def _round0_dir(self, seed: int) -> Path:
        return self.opts.out / "models" / f"round0-{seed}"

    def _kept_dir(self, strategy: str, seed: int, rnd: int) -> Path:
        """A warm start's model of a round, kept for the next round to start from."""
        return self.opts.out / "models" / f"{strategy}-{seed}-round{rnd}"

    def _round0_maker(self) -> dict[str, str]:
        """Which strategy's round 0 each seed's `round0-SEED` model is: trusted only when
        saved with that strategy's state, so a half-made copy is never used."""
        made: dict[str, str] = self.state.setdefault("round0", {})  # type: ignore[assignment]
        return made

    def _shared_round0(self, strategy: str, seed: int) -> dict[str, str] | None:
        """Round 0 trains every strategy on the same seed set with the same recipe and seed,
        so its model is the same (same F1 to the digit): it is trained once per seed and the
        other strategies take its row, saving one round of training a strategy and seed."""
        runs: dict[str, dict[str, object]] = self.state["runs"]  # type: ignore[assignment]
        # a strategy that scores with the model, or a warm start, needs round 0's model too
        needs_model = strategy != "random" or self.opts.warm_start
        maker = self._round0_maker().get(str(seed))
        if needs_model and (maker is None or not self._round0_dir(seed).is_dir()):
            return None
        for r in self.rows():
            donor = runs.get(f"{r['strategy']}/{seed}", {})
            if (
                r["strategy"] != strategy
                and (maker is None or r["strategy"] == maker)  # the row of the model kept
                and int(r["seed"]) == seed
                and r["round"] == "0"
                and int(donor.get("done_rounds", -1)) >= 0  # type: ignore[call-overload]
            ):
                return r
        return None

    def _run_one(
        self, corpus: Corpus, base: tuple[str, str], strategy: str, seed: int, seed_set: list[int]
    ) -> None:
        o = self.opts
        runs: dict[str, dict[str, object]] = self.state["runs"]  # type: ignore[assignment]
        key = f"{strategy}/{seed}"
        run = runs.setdefault(key, {"labelled": list(seed_set), "done_rounds": -1})
        self._drop_rows_after(strategy, seed, int(run["done_rounds"]))  # type: ignore[call-overload]
        mean_len = sum(len(d.tokens) for d in corpus.pool) / max(1, len(corpus.pool))
        for rnd in range(int(run["done_rounds"]) + 1, o.rounds + 1):  # type: ignore[call-overload]
            labelled: list[int] = list(run["labelled"])  # type: ignore[call-overload]
            shared = self._shared_round0(strategy, seed) if rnd == 0 else None
            if shared is not None:
                self._take_round0(shared, corpus, strategy, seed, run, labelled, mean_len)
                continue
            docs = [corpus.pool[i] for i in labelled]
            model_dir = o.out / "models" / f".incoming-{strategy}-{seed}"
            shutil.rmtree(model_dir, ignore_errors=True)
            previous = o.out / str(run["model"]) if run.get("model") else None
            start = base
            if o.warm_start and previous is not None:
                if not previous.is_dir():
                    raise WorkbenchError(
                        f"{previous}: the previous round's model is gone; a warm start needs "
                        "it (use another --out to start over)"
                    )
                start = (str(previous), f"round {rnd - 1}'s model")
            self.log(
                f"[{strategy} seed {seed}] round {rnd}: {len(docs)} labelled sentences, "
                f"from {start[1]}"
            )
            fitted = fit(
                docs,
                corpus.dev,
                corpus.test,
                corpus.labels,
                start,
                TrainOptions(
                    epochs=o.epochs,
                    min_steps=o.min_steps,
                    max_evals=o.max_evals,
                    learning_rate=o.learning_rate,
                    batch_size=o.batch_size,
                    device=o.device,
                    seed=seed,
                ),
                model_dir,
                self.log,
                goes_on=start is not base,
            )
            t0 = time.perf_counter()
            # the last round queries too, so a later run with more --rounds goes on from it
            nxt = labelled + self._query(model_dir, corpus, strategy, seed, rnd, labelled, mean_len)
            assert fitted.test is not None
            self._append_row(
                {
                    "strategy": strategy,
                    "seed": seed,
                    "round": rnd,
                    "sentences": len(docs),
                    "tokens": sum(len(d.tokens) for d in docs),
                    "precision": round(fitted.test["precision"], 4),
                    "recall": round(fitted.test["recall"], 4),
                    "f1": round(fitted.test["f1"], 4),
                    "dev_f1": round(fitted.dev["f1"], 4) if fitted.dev else "",
                    "train_s": round(fitted.timings["train_s"], 1),
                    "score_s": round(time.perf_counter() - t0, 1),
                }
            )
            if rnd == 0 and strategy != self.strategies[-1]:  # for the strategies after it
                # made whole under another name, then named; trusted once the state says whose
                kept0, partial = self._round0_dir(seed), self._round0_dir(seed).with_suffix(".tmp")
                shutil.rmtree(partial, ignore_errors=True)
                _link_tree(model_dir, partial)
                shutil.rmtree(kept0, ignore_errors=True)
                partial.rename(kept0)
                self._round0_maker()[str(seed)] = strategy
            if o.warm_start:  # kept for the next round; the one before goes once state is saved
                kept = self._kept_dir(strategy, seed, rnd)
                shutil.rmtree(kept, ignore_errors=True)
                model_dir.rename(kept)
                run["model"] = str(kept.relative_to(o.out))
            shutil.rmtree(model_dir, ignore_errors=True)
            run["labelled"], run["done_rounds"] = nxt, rnd
            self._save_state()
            if o.warm_start and previous is not None:
                shutil.rmtree(previous, ignore_errors=True)

    def _take_round0(
        self,
        shared: dict[str, str],
        corpus: Corpus,
        strategy: str,
        seed: int,
        run: dict[str, object],
        labelled: list[int],
        mean_len: float,
    ) -> None:
        o = self.opts
        donor = self._round0_dir(seed)
        self.log(
            f"[{strategy} seed {seed}] round 0: {len(labelled)} labelled sentences, "
            f"{shared['strategy']}'s round 0 (the same seed set, recipe and seed): "
            "not trained again"
        )
        t0 = time.perf_counter()
        nxt = labelled + self._query(donor, corpus, strategy, seed, 0, labelled, mean_len)
        self._append_row(
            {**shared, "strategy": strategy, "train_s": 0.0,
             "score_s": round(time.perf_counter() - t0, 1)}
        )  # fmt: skip
        if o.warm_start:
            kept = self._kept_dir(strategy, seed, 0)
            shutil.rmtree(kept, ignore_errors=True)
            _link_tree(donor, kept)
            run["model"] = str(kept.relative_to(o.out))
        run["labelled"], run["done_rounds"] = nxt, 0
        self._save_state()

    def _query(
        self,
        model_dir: Path,
        corpus: Corpus,
        strategy: str,
        seed: int,
        rnd: int,
        labelled: Sequence[int],
        mean_len: float,
    ) -> list[int]:
        o = self.opts
        taken = set(labelled)
        rest = [i for i in range(len(corpus.pool)) if i not in taken]
        if strategy == "random":
            order = rest[:]
            random.Random(seed * 1000 + rnd).shuffle(order)
        else:
            if o.pool_sample and o.pool_sample < len(rest):  # a fresh sample each round
                rest = sorted(random.Random(seed * 1000 + rnd).sample(rest, o.pool_sample))
            scores = score_with_model(
                model_dir,
                [corpus.pool[i] for i in rest],
                strategy,
                seed=seed,
                cost_aware=o.cost_aware,
                device=o.device,
            )
            order = [rest[k] for k in rank(scores)]
        if o.budget == "sentences":
            return order[: o.batch]
        budget, chosen, used = o.batch * mean_len, [], 0
        for i in order:
            if used >= budget:
                break
            chosen.append(i)
            used += len(corpus.pool[i].tokens)
        return chosen

    def _drop_rows_after(self, strategy: str, seed: int, done: int) -> None:
        """A kill between writing a round's row and saving the state leaves a row ahead of
        the state: drop it, the round runs again."""
        rows = self.rows()
        keep = [
            r
            for r in rows
            if not (r["strategy"] == strategy and int(r["seed"]) == seed and int(r["round"]) > done)
        ]
        if len(keep) != len(rows):
            self._write_rows(keep)

    def rows(self) -> list[dict[str, str]]:
        if not self.csv_path.exists():
            return []
        with self.csv_path.open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))


def _link_tree(src: Path, dst: Path) -> None:
    """A copy of a model directory made of hard links (no second copy of the weights),
    so either can be deleted on its own."""

    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:  # a filesystem without hard links
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link)


def plot_png(rows: Sequence[dict[str, str]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, x_key, x_label in (
        (axes[0], "sentences", "labelled sentences"),
        (axes[1], "tokens", "labelled tokens"),
    ):
        for c in mean_curves(rows, x_key):
            (line,) = ax.plot(c.xs, c.f1, marker="o", label=c.strategy)
            if c.lo != c.hi:  # several seeds: their lowest and highest F1 as a band
                ax.fill_between(c.xs, c.lo, c.hi, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_xlabel(x_label)
        ax.set_ylabel("test F1 (exact entities, micro)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_terminal(rows: Sequence[dict[str, str]], width: int = 80, height: int = 20) -> str:
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    for c in mean_curves(rows, "sentences"):
        plt.plot(c.xs, c.f1, label=c.strategy, marker="dot")
    plt.xlabel("labelled sentences")
    plt.ylabel("test F1")
    plt.theme("clear")
    text: str = plt.build()
    return text


class Curve(NamedTuple):
    """One strategy's curve over seeds: per round, x the mean of a column, F1's mean and band."""

    strategy: str
    rounds: list[int]
    xs: list[float]
    f1: list[float]
    lo: list[float]
    hi: list[float]


def mean_curves(rows: Sequence[dict[str, str]], x_key: str) -> list[Curve]:
    """Per strategy and round: x the mean of ``x_key`` over seeds; F1's mean, min and max."""
    acc: dict[str, dict[int, list[tuple[float, float]]]] = {}
    for r in rows:
        acc.setdefault(r["strategy"], {}).setdefault(int(r["round"]), []).append(
            (float(r[x_key]), float(r["f1"]))
        )
    out = []
    for strategy, by_round in acc.items():
        rounds = sorted(by_round)
        points = [by_round[n] for n in rounds]
        out.append(
            Curve(
                strategy,
                rounds,
                [sum(x for x, _ in v) / len(v) for v in points],
                [sum(y for _, y in v) / len(v) for v in points],
                [min(y for _, y in v) for v in points],
                [max(y for _, y in v) for v in points],
            )
        )
    return out
