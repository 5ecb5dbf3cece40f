"""`workbench retrain` (one active-learning round) and `workbench simulate`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.text import Text

from workbench.cli.common import (
    STRATEGIES,
    Device,
    Precision,
    Strategy,
    each_of,
    log,
    out,
    project_of,
)
from workbench.cli.progress import TrainBar


def retrain(
    ctx: typer.Context,
    strategy: Strategy | None = typer.Option(
        None, help="The query strategy (default: the project's)."
    ),
    batch: int | None = typer.Option(
        None, min=1, help="How many documents the next batch holds (default: the project's)."
    ),
    epochs: int = typer.Option(3, min=1, help="Training epochs; the best on dev is kept."),
    min_steps: int = typer.Option(
        0,
        min=0,
        help="Optimiser steps at least: more epochs for a small set (850 reached the "
        "active-learning target in `simulate`; BENCHMARKS.md).",
    ),
    learning_rate: float | None = typer.Option(
        None, help="Peak learning rate (default: 1e-4; 3e-4 in a project's quick first round)."
    ),
    batch_size: int = typer.Option(16, min=1, help="Training batch size."),
    device: Device = typer.Option("auto", help="Where to train."),
    warm_start: bool | None = typer.Option(
        None,
        "--warm-start/--cold-start",
        help="Go on from the active model, or train from the base (default: go on from it "
        "unless dev trained it, or its labels or base model are not the project's).",
        show_default=False,
    ),
    promote: Literal["auto", "always"] = typer.Option(
        "auto", help="auto: only if dev F1 is not lower; always."
    ),
    cost_aware: bool = typer.Option(False, help="Divide scores by the words to read."),
    pool_sample: int | None = typer.Option(
        None,
        min=0,
        help="Pool documents scored, drawn afresh each round (default: the project's "
        "pool_sample, else 1,000 or ten batches, whichever is more; 0: all).",
    ),
    seed: int = typer.Option(13, help="Random seed."),
    precision: Precision = typer.Option(
        "auto", help="auto: bf16 mixed precision where the hardware has it."
    ),
) -> None:
    """Train on everything accepted, promote if not worse, and re-order the queue."""
    from workbench.ops.training import QUICK_LEARNING_RATE, RetrainOptions, round_recipe
    from workbench.ops.training import retrain as run_retrain

    project = project_of(ctx)
    chosen: str = strategy or project.config.strategy
    opts = RetrainOptions(
        strategy=chosen,
        batch=batch or project.config.batch_size,
        train=round_recipe(
            epochs=epochs,
            min_steps=min_steps,
            **({} if learning_rate is None else {"learning_rate": learning_rate}),
            batch_size=batch_size,
            device=device,
            seed=seed,
            precision=precision,
        ),
        warm_start=warm_start,
        promote=promote,
        cost_aware=cost_aware,
        quick_learning_rate=QUICK_LEARNING_RATE if learning_rate is None else learning_rate,
        pool_sample=project.config.pool_sample if pool_sample is None else pool_sample,
    )
    with TrainBar() as bar:
        res = run_retrain(project, opts, log, progress=bar)
    t = res.round
    state = "made active" if t.promoted else "kept, not active"
    out.print(
        f"Round {t.round_id}: model #{t.model_id} {state}"
        + (f"; dev F1 {t.dev['f1']:.4f}" if t.dev else "")
        + (f", test F1 {t.test['f1']:.4f}" if t.test else "")
    )
    what = (
        f"{res.scored:,} of the pool's {res.pool:,} documents (a random sample, drawn afresh "
        "each round)"
        if res.scored < res.pool
        else f"{res.scored:,} pool documents"
    )
    out.print(
        f"Scored {what} with {chosen}; next batch of "
        f"{len(res.next_batch)}: documents "
        + ", ".join(str(d) for d, _ in res.next_batch[:10])
        + (" ..." if len(res.next_batch) > 10 else "")
    )


def simulate(
    corpus: Path = typer.Option(..., help="A directory with train.tsv, devel.tsv, test.tsv."),
    out: Path = typer.Option(Path("simulation"), help="Where curves.csv, curves.png go."),
    strategy: list[str] = typer.Option(
        ["mnlp"], help="Strategies (repeatable); random too.", callback=each_of(STRATEGIES)
    ),
    seed_size: int = typer.Option(100, min=1, help="Sentences labelled before round 1."),
    batch: int = typer.Option(0, min=0, help="Sentences queried per round (0: 2% of the pool)."),
    rounds: int = typer.Option(8, min=1, help="Query rounds."),
    budget: Literal["sentences", "tokens"] = typer.Option(
        "sentences", help="What a round buys: sentences, or tokens (equal reading cost)."
    ),
    seed: list[int] = typer.Option([13], help="Random seeds (repeatable)."),
    base_model: str = typer.Option("bundled", help="Model name, directory or 'bundled'."),
    epochs: int = typer.Option(4, min=1, help="Epochs per round (at least)."),
    min_steps: int = typer.Option(
        850, min=0, help="Optimiser steps per round at least (more epochs for small sets)."
    ),
    learning_rate: float = typer.Option(1e-4, help="Peak learning rate."),
    dev_size: int = typer.Option(1000, min=0, help="Dev sentences for model selection (0: all)."),
    warm_start: bool = typer.Option(
        True,
        "--warm-start/--cold-start",
        help="Each round goes on from the previous round's model, or trains from the base.",
    ),
    pool_sample: int | None = typer.Option(
        None,
        min=0,
        help="Unlabelled sentences scored per round, drawn afresh (default: 1,000 or ten "
        "batches, whichever is more; 0: all).",
    ),
    device: Device = typer.Option("auto", help="Where to train."),
) -> None:
    """Active learning against gold labels: strategies vs random, learning curves."""
    from workbench.active.simulate import (
        SimulateOptions,
        Simulation,
        plot_png,
        plot_terminal,
    )

    sim = Simulation(
        SimulateOptions(
            corpus=corpus,
            out=out,
            strategies=list(strategy),
            seed_size=seed_size,
            batch=batch,
            rounds=rounds,
            budget=budget,
            seeds=seed,
            base_model=base_model,
            epochs=epochs,
            min_steps=min_steps,
            learning_rate=learning_rate,
            dev_size=dev_size,
            warm_start=warm_start,
            pool_sample=pool_sample,
            device=device,
        ),
        log,
    )
    rows = sim.run()
    plot_png(rows, out / "curves.png")
    out_console = Console(highlight=False, markup=False)
    out_console.print(Text.from_ansi(plot_terminal(rows)))
    out_console.print(f"Curves: {out / 'curves.csv'} and {out / 'curves.png'}")
