"""`workbench import` and `workbench export`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from workbench.cli.common import err, project_of
from workbench.ops.exporting import export_project
from workbench.ops.importing import import_files


def import_(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Files (or a Hugging Face dataset directory)."),
    format: str = typer.Option(
        "auto", "--format", "-f", help="auto, text, jsonl, conll, pubtator or hf."
    ),
    split: str | None = typer.Option(
        None, help="pool, train, dev or test (default pool; hf keeps its own splits)."
    ),
    doc_per_file: bool = typer.Option(False, help="Text: one document per file, not per line."),
) -> None:
    """Load documents, with their gold spans where the format has them. All or nothing."""
    results = import_files(project_of(ctx), files, format, split, doc_per_file)
    for r in results:
        err.print(
            f"Imported {r.documents:,} documents ({r.spans:,} entities) from {r.path} "
            f"as {r.format} into {r.split}."
        )


def export(
    ctx: typer.Context,
    out: str = typer.Argument(..., help="Output file, directory (hf) or - for standard output."),
    format: str = typer.Option("jsonl", "--format", "-f", help="jsonl, conll, pubtator or hf."),
    split: list[str] = typer.Option([], help="Only these splits (repeatable)."),
    status: list[str] = typer.Option([], help="Only these statuses (repeatable)."),
) -> None:
    """Write every document with the entities of its latest revision."""
    res = export_project(project_of(ctx), out, format, split or None, status or None)
    msg = f"Exported {res.documents:,} documents ({res.spans:,} entities) to {out} as {format}."
    if res.dropped:
        msg += f" {res.dropped:,} nested or crossing entities cannot be written as BIO."
    err.print(msg)
    sys.stdout.flush()
