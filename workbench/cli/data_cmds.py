"""`workbench import`, `export`, `split` and `remove`: documents in and out of a project."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from workbench.cli.common import SPLITS, STATUSES, each_of, err, format_choice, project_of
from workbench.errors import WorkbenchError
from workbench.formats import choices
from workbench.ops.documents import Selection, move_to_split, remove_from_project
from workbench.ops.exporting import export_project
from workbench.ops.importing import ImportOptions, import_files


def import_(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Files (or a Hugging Face dataset directory)."),
    format: str = typer.Option(
        "auto",
        "--format",
        "-f",
        help=f"auto, or one of: {', '.join(choices('read'))}.",
        callback=format_choice("read", ("auto",)),
    ),
    split: str | None = typer.Option(
        None,
        help="pool, train, dev or test (default pool). For a Hugging Face dataset: the one "
        "split to take (default: each of its splits into the split of that name).",
    ),
    gold: bool | None = typer.Option(
        None,
        "--gold/--no-gold",
        help="The entities are the truth (accepted). Default: yes for train, dev and test "
        "when the format has entities; never for text.",
    ),
    skip_existing: bool = typer.Option(
        False, help="Leave documents the project already holds (same id or text) as they are."
    ),
    replace: bool = typer.Option(
        False, help="Remove the documents the project already holds and import these."
    ),
    snap: bool = typer.Option(
        False, help="Widen entities that end inside a token to whole tokens (else refused)."
    ),
    doc_per_file: bool = typer.Option(False, help="Text: one document per file, not per line."),
) -> None:
    """Load documents, with their gold spans where the format has them. All or nothing."""
    if skip_existing and replace:
        raise WorkbenchError("--skip-existing and --replace: choose one")
    opts = ImportOptions(
        fmt=format,
        split=split,
        doc_per_file=doc_per_file,
        gold=gold,
        on_existing="skip" if skip_existing else "replace" if replace else "refuse",
        snap=snap,
    )
    for r in import_files(project_of(ctx), files, opts):
        notes = [
            f"{r.skipped:,} already there, skipped" if r.skipped else "",
            f"{r.replaced:,} replaced" if r.replaced else "",
            f"{r.snapped:,} entities widened to whole tokens" if r.snapped else "",
        ]
        note = "; ".join(n for n in notes if n)
        kind = "gold" if r.gold else "to annotate"
        err.print(
            f"Imported {r.count:,} documents ({r.spans:,} entities) from {r.path} "
            f"as {r.format} into {r.split} ({kind})." + (f" {note}." if note else "")
        )


def remove(
    ctx: typer.Context,
    ids: list[str] = typer.Argument(
        None, help="Document ids as imported (a PMID), or #N for the project's number N."
    ),
    split: list[str] = typer.Option(
        [], help="Every document of this split (repeatable).", callback=each_of(SPLITS)
    ),
    import_id: list[int] = typer.Option(
        [], "--import", help="Every document of this import batch (`status` lists them)."
    ),
) -> None:
    """Remove documents from the project; their revisions are kept in the database."""
    n = remove_from_project(project_of(ctx), ids or [], split, import_id)
    err.print(f"Removed {n:,} documents (their revisions are kept).")


def export(
    ctx: typer.Context,
    out: str = typer.Argument(..., help="Output file, directory (hf) or - for standard output."),
    format: str = typer.Option(
        "jsonl",
        "--format",
        "-f",
        help=f"One of: {', '.join(choices('write'))}.",
        callback=format_choice("write", ()),
    ),
    split: list[str] = typer.Option(
        [], help="Only these splits (repeatable).", callback=each_of(SPLITS)
    ),
    status: list[str] = typer.Option(
        [], help="Only these statuses (repeatable).", callback=each_of(STATUSES)
    ),
) -> None:
    """Write every document with the entities of its latest revision."""
    res = export_project(project_of(ctx), out, format, split or None, status or None)
    msg = f"Exported {res.documents:,} documents ({res.spans:,} entities) to {out} as {format}."
    if res.dropped:
        msg += f" {res.dropped:,} nested or crossing entities cannot be written as BIO."
    err.print(msg)
    sys.stdout.flush()


def split(
    ctx: typer.Context,
    to: str = typer.Argument(..., help="The split to move them to: pool, train, dev or test."),
    ids: list[str] = typer.Argument(
        None, help="Document ids as imported (a PMID), or #N for the project's number N."
    ),
    from_: list[str] = typer.Option(
        [], "--from", help="Documents of this split (repeatable).", callback=each_of(SPLITS)
    ),
    status: list[str] = typer.Option(
        [], help="Only documents of this status (repeatable).", callback=each_of(STATUSES)
    ),
    import_id: list[int] = typer.Option([], "--import", help="Documents of this import batch."),
    sample: int | None = typer.Option(
        None, help="Only this many of them, drawn at random (reproducibly with --seed)."
    ),
    seed: int = typer.Option(0, help="Seed of --sample."),
) -> None:
    """Move documents to another split, e.g. accepted pool documents into dev or test."""
    if to not in SPLITS:
        raise typer.BadParameter(f"{to!r} is not one of {', '.join(SPLITS)}", param_hint="TO")
    sel = Selection(ids or [], from_, import_id, status, sample, seed)
    res = move_to_split(project_of(ctx), to, sel)
    origin = ", ".join(f"{n:,} from {s}" for s, n in sorted(res.from_splits.items()))
    msg = f"Moved {res.moved:,} documents to {to}" + (f" ({origin})." if origin else ".")
    if res.matched > res.moved:
        msg += f" {res.matched - res.moved:,} were there already."
    left = {s: n for s, n in res.from_splits.items() if s in ("dev", "test")}
    for old, n in sorted(left.items()):
        msg += f" {n:,} left {old}: scores on {old} from before are not comparable with new ones."
    if res.not_gold:
        msg += (
            f" {res.not_gold:,} of them are not accepted: train and evaluate use only the "
            f"accepted documents of {to}."
        )
    err.print(msg)
