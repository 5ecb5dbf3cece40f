"""`workbench train`, `evaluate`, `models`, `activate` and `soup`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from workbench.cli.common import Device, Precision, Split, log, out, project_of
from workbench.cli.progress import CountBar, TrainBar


def train(
    ctx: typer.Context,
    base_model: str | None = typer.Option(
        None, help="Model name, local directory or 'bundled' (default: the project's)."
    ),
    epochs: int = typer.Option(12, min=1, help="Training epochs; the best on dev is kept."),
    learning_rate: float = typer.Option(1e-4, help="Peak learning rate (linear decay)."),
    batch_size: int = typer.Option(16, min=1, help="Training batch size."),
    max_length: int = typer.Option(256, min=16, help="Sub-word window length."),
    seed: int = typer.Option(13, help="Random seed (training is reproducible)."),
    device: Device = typer.Option("auto", help="Where to train."),
    max_steps: int = typer.Option(-1, help="Stop after this many steps (for smoke tests)."),
    precision: Precision = typer.Option(
        "auto", help="auto: bf16 mixed precision where the hardware has it."
    ),
    word_shapes: bool = typer.Option(
        False, help="Give the encoder each word's case (Aa, AA, aA) as its token type."
    ),
    context: int = typer.Option(
        0,
        min=0,
        help="Read each sentence with up to this many sub-tokens of the text around it on "
        "each side (its abstract; the file's neighbouring sentences without -DOCSTART-).",
    ),
    teacher: list[Path] = typer.Option(
        [],
        "--teacher",
        help="A trained model to learn from besides the gold tags (repeat it: their "
        "averaged probabilities); the student tags at one model's speed.",
    ),
    distill_weight: float = typer.Option(
        0.5, help="With --teacher: the teachers' share of the loss (the gold tags' is the rest)."
    ),
    with_dev: bool = typer.Option(
        False,
        "--with-dev",
        help="Refit: train on train + dev for exactly --epochs (chosen on dev by an earlier "
        "run) and keep the last; the model has no dev score.",
    ),
) -> None:
    """Fine-tune on the train split and accepted documents; best epoch on dev; score; activate."""
    from workbench.model.train import TrainOptions
    from workbench.ops.training import train as run_train

    opts = TrainOptions(
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        max_length=max_length,
        seed=seed,
        device=device,
        max_steps=max_steps,
        precision=precision,
        word_shapes=word_shapes,
        context=context,
        teachers=tuple(str(t) for t in teacher),
        distill_weight=distill_weight,
    )
    with TrainBar() as bar:
        res = run_train(
            project_of(ctx), opts, log, base_model=base_model, progress=bar, with_dev=with_dev
        )
    best = "" if res.best_epoch is None else f" (best on dev at epoch {res.best_epoch:g})"
    out.print(f"Model #{res.model_id} saved to {res.path} and made active{best}.")
    if res.dev is None:
        out.print(
            "No dev score: dev was part of its training. Score this recipe once with "
            "`workbench evaluate --split test`."
        )
    else:
        render_scores("dev", res.dev)
    if res.test is not None:
        render_scores("test", res.test)


def evaluate(
    ctx: typer.Context,
    split: Split = typer.Option("test", help="The gold split to score on (dev or test)."),
    model: Path | None = typer.Option(None, help="A model directory (default: the active one)."),
    json_out: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    device: Device = typer.Option("auto", help="Where to run the model."),
    precision: Precision = typer.Option("auto", help="auto: bf16 where the hardware has it."),
) -> None:
    """Seqeval report and error breakdown of a model on a gold split."""
    from workbench.ops.training import evaluate as run_evaluate

    with CountBar(f"scoring {split}") as bar:
        ev = run_evaluate(
            project_of(ctx), split, model, device=device, precision=precision, progress=bar
        )
    if ev.metrics.get("trained_on_split"):
        log(f"note: this model was trained on {split} (`train --with-dev`): this is no measure")
    if json_out:
        out.print_json(json.dumps(ev.metrics))
        return
    out.print(f"Model {ev.model} on {ev.documents:,} {split} documents ({ev.precision_mode})")
    render_scores(split, ev.metrics)
    render_errors(ev.metrics["errors"])


def render_scores(name: str, m: dict[str, Any]) -> None:
    table = Table(title=f"{name}: exact entities (as seqeval counts them)", title_justify="left")
    for col in ("label", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for label, v in sorted(m["per_label"].items()):
        table.add_row(
            label,
            f"{v['precision']:.4f}",
            f"{v['recall']:.4f}",
            f"{v['f1']:.4f}",
            str(v["support"]),
        )
    table.add_row(
        "micro",
        f"{m['precision']:.4f}",
        f"{m['recall']:.4f}",
        f"{m['f1']:.4f}",
        str(m["support"]),
        style="bold",
    )
    out.print(table)
    out.print(f"token accuracy {m['accuracy']:.4f}")


def render_errors(e: dict[str, Any]) -> None:
    table = Table(title="Errors", title_justify="left")
    table.add_column("kind")
    table.add_column("count", justify="right")
    for pair, n in e["type_confusions"].items():
        table.add_row(f"type confusion {pair}", str(n))
    table.add_row("boundary (same type, overlapping)", str(e["boundary"]))
    table.add_row("boundary and type", str(e["boundary_and_type"]))
    table.add_row("spurious (no overlapping gold)", str(e["spurious"]))
    table.add_row("missed (no overlapping prediction)", str(e["missed"]))
    out.print(table)
    for kind, examples in e["examples"].items():
        out.print(Text(kind, style="bold"))
        for ex in examples:
            out.print(f"  {ex}")


def models(ctx: typer.Context) -> None:
    """Every model the project trained, with its scores; the active one is marked."""
    from workbench.ops.training import list_project_models

    listed = list_project_models(project_of(ctx))
    if not listed:
        out.print("No models yet: `workbench train` makes the first.")
        return
    table = Table(title="Models", title_justify="left")
    for col in ("model", "round", "created", "base", "dev F1", "test F1", "best epoch", ""):
        table.add_column(col, justify="right" if "F1" in col or col == "model" else "left")
    for m in listed:
        test = m.metrics.get("test") or {}
        epoch = m.metrics.get("best_epoch")
        table.add_row(
            str(m.id),
            str(m.round_id or ""),
            m.created_at[:16].replace("T", " "),
            m.base_model if len(m.base_model) < 40 else "…" + m.base_model[-39:],
            f"{m.f1:.4f}" if m.f1 is not None else "",
            f"{test['f1']:.4f}" if isinstance(test.get("f1"), int | float) else "",
            f"{epoch:g}" if isinstance(epoch, int | float) else "",
            "active" if m.active else "",
            style="bold" if m.active else None,
        )
    out.print(table)
    project = project_of(ctx)
    number = {project.model_dir(m.path).resolve(): f"#{m.id}" for m in listed}
    for m in listed:
        members = m.metrics.get("soup")
        if isinstance(members, list):  # say what a soup is made of
            named = [number.get(project.model_dir(str(p)).resolve(), str(p)) for p in members]
            out.print(f"Model #{m.id} is the average of {', '.join(named)}.")


def activate(
    ctx: typer.Context,
    model_id: int = typer.Argument(..., help="The model's number (`workbench models`)."),
) -> None:
    """Make an earlier (or any) registered model the active one."""
    from workbench.ops.training import activate_model

    m = activate_model(project_of(ctx), model_id)
    score = f", dev F1 {m.f1:.4f}" if m.f1 is not None else ""
    out.print(f"Model #{m.id} ({m.path}{score}) is now active.")


def soup(
    ctx: typer.Context,
    models: list[str] = typer.Argument(
        ..., help="Two or more model numbers (`workbench models`) or model directories."
    ),
    context: int | None = typer.Option(
        None,
        min=0,
        help="Sub-tokens of context a side the soup reads (default: the models'; 0 tags fastest).",
    ),
    promote: str = typer.Option(
        "auto", help="auto: active if its dev F1 is not below the active model's; always."
    ),
    device: Device = typer.Option("auto", help="Where to score it on dev."),
) -> None:
    """Average the weights of models fine-tuned from one base into one model (a model soup):
    near their ensemble's accuracy at one model's speed."""
    from workbench.ops.training import soup as run_soup

    res = run_soup(project_of(ctx), models, log, context=context, promote=promote, device=device)
    state = "made active" if res.promoted else "kept, not active"
    out.print(f"Model #{res.model_id}, {len(res.members)} models averaged: {res.path} ({state}).")
    if res.dev is not None:
        render_scores("dev", res.dev)
