"""`workbench tag`: tag files, directories or standard input with a model."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from workbench.cli.common import err, out, project_option
from workbench.core import Document, Span
from workbench.errors import WorkbenchError
from workbench.formats import conll as conll_format
from workbench.formats import jsonl as jsonl_format
from workbench.formats import pubtator as pubtator_format
from workbench.project import PALETTE


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
    from workbench.ops.tagging import OUTPUT_FORMATS, iter_chunks, read_inputs, resolve_model

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
            preds = tagger.tag(chunk)
            for doc, spans in zip(chunk, preds, strict=True):
                done += 1
                _emit(format, inp.name, doc, spans, colours, done)
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
