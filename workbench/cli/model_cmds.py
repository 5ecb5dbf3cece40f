"""`workbench train`, `workbench evaluate` and `workbench tag`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from workbench.cli.app import app, project_option
from workbench.core import Document, Span
from workbench.errors import WorkbenchError
from workbench.formats import conll as conll_format
from workbench.formats import jsonl as jsonl_format
from workbench.formats import pubtator as pubtator_format
from workbench.project import PALETTE, find_project

err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)


@app.command()
def train(
    ctx: typer.Context,
    base_model: str | None = typer.Option(
        None, help="Model name, local directory or 'bundled' (default: the project's)."
    ),
    epochs: int = typer.Option(8, min=1, help="Training epochs; the best on dev is kept."),
    learning_rate: float = typer.Option(1e-4, help="Peak learning rate (linear decay)."),
    batch_size: int = typer.Option(16, min=1, help="Training batch size."),
    max_length: int = typer.Option(256, min=16, help="Sub-word window length."),
    seed: int = typer.Option(13, help="Random seed (training is reproducible)."),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
    max_steps: int = typer.Option(-1, help="Stop after this many steps (for smoke tests)."),
) -> None:
    """Fine-tune on the train split and accepted documents; best epoch on dev; score; activate."""
    from workbench.model.train import TrainOptions, train_model

    project = find_project(project_option(ctx))
    opts = TrainOptions(
        base_model=base_model,
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        max_length=max_length,
        seed=seed,
        device=device,
        max_steps=max_steps,
    )
    res = train_model(project, opts, lambda msg: err.print(msg))
    out.print(
        f"Model #{res.model_id} saved to {res.path} and made active (best epoch {res.best_epoch})."
    )
    render_scores("dev", res.dev)
    if res.test is not None:
        render_scores("test", res.test)


@app.command()
def evaluate(
    ctx: typer.Context,
    split: str = typer.Option("test", help="The gold split to score on (dev or test)."),
    model: Path | None = typer.Option(None, help="A model directory (default: the active one)."),
    json_out: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
    precision: str = typer.Option("auto", help="auto (bf16 where native), fp32 or bf16."),
) -> None:
    """Seqeval report and error breakdown of a model on a gold split."""
    from workbench.model.evaluate import score
    from workbench.model.predict import Tagger
    from workbench.store.documents import SPLITS, iter_documents
    from workbench.tagging import resolve_model

    project = find_project(project_option(ctx))
    if split not in SPLITS:
        raise WorkbenchError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    conn = project.connect()
    try:
        docs = [s.document for s in iter_documents(conn, splits=[split])]
    finally:
        conn.close()
    if not docs:
        raise WorkbenchError(
            f"the project has no {split} documents to score: import gold data with "
            f"`workbench import FILE --split {split}`"
        )
    path, _ = resolve_model(model, project.root)
    tagger = Tagger(path, device=device, precision=precision)
    metrics = score(docs, [p.spans for p in tagger.predict(docs)])
    metrics["precision_mode"] = tagger.precision
    if json_out:
        out.print_json(json.dumps(metrics))
        return
    out.print(f"Model {path} on {len(docs):,} {split} documents ({tagger.precision})")
    render_scores(split, metrics)
    render_errors(metrics["errors"])


def render_scores(name: str, m: dict[str, Any]) -> None:
    table = Table(title=f"{name}: entity-level seqeval (exact match)", title_justify="left")
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


@app.command()
def tag(
    ctx: typer.Context,
    inputs: list[str] = typer.Argument(..., help="Files, directories, or - for stdin."),
    format: str = typer.Option(
        "pretty", "--format", "-f", help="pretty, jsonl, conll or pubtator."
    ),
    model: Path | None = typer.Option(None, help="A model directory (no project needed)."),
    doc_per_file: bool = typer.Option(False, help="One document per file, not per line."),
    device: str = typer.Option("auto", help="auto, cpu or cuda."),
    precision: str = typer.Option("auto", help="auto (bf16 where native), fp32 or bf16."),
) -> None:
    """Tag text with the active model (or --model) and print the entities."""
    from workbench.model.predict import Tagger
    from workbench.tagging import OUTPUT_FORMATS, iter_chunks, read_inputs, resolve_model

    if format not in OUTPUT_FORMATS:
        raise WorkbenchError(f"unknown format {format!r} (one of {', '.join(OUTPUT_FORMATS)})")
    path, project = resolve_model(model, project_option(ctx))
    inputs_read = read_inputs(inputs, doc_per_file, lambda m: err.print(m))
    tagger = Tagger(path, device=device, precision=precision)
    colours = _colours(tagger.labels, project)
    total = sum(len(i.docs) for i in inputs_read)
    show_bar = total >= 200 or err.is_terminal
    done = 0
    with Progress(
        TextColumn("tagging"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=err,
        disable=not show_bar,
        transient=True,
    ) as bar:
        task = bar.add_task("tag", total=total)
        for inp, chunk in iter_chunks(inputs_read):
            preds = tagger.predict(chunk)
            for doc, pred in zip(chunk, preds, strict=True):
                done += 1
                _emit(format, inp.name, doc, pred.spans, colours, done)
            bar.update(task, completed=done)
            sys.stdout.flush()


def _colours(labels: list[str], project: Any) -> dict[str, str]:
    if project is not None:
        known = {lab.name: lab.colour for lab in project.config.labels}
        if all(lab in known for lab in labels):
            return known
    return {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(labels)}


def _emit(
    fmt: str, name: str, doc: Document, spans: list[Span], colours: dict[str, str], n: int
) -> None:
    doc_id = f"{name}:{doc.line}" if doc.line is not None else (doc.external_id or name)
    shown = Document(doc.text, doc.tokens, spans, external_id=doc_id, presplit=doc.presplit)
    if fmt == "jsonl":
        sys.stdout.write(json.dumps(jsonl_format.to_record(shown), ensure_ascii=False) + "\n")
    elif fmt == "conll":
        conll_format.write([shown], sys.stdout)
    elif fmt == "pubtator":
        shown.external_id = doc.external_id or str(n)
        pubtator_format.write([shown], sys.stdout)
        sys.stdout.write("\n")
    else:
        text = Text(doc.text)
        for s in spans:
            text.stylize(f"bold {colours.get(s.label, 'white')}", s.start, s.end)
        out.print(Text(f"{doc_id}  ", style="dim") + text)
        if spans:
            out.print(
                Text(
                    "  "
                    + ", ".join(
                        f"{doc.text[s.start : s.end]} ({s.label} {s.score:.2f})" for s in spans
                    ),
                    style="dim",
                )
            )
