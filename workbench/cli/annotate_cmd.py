"""`workbench annotate`: open the annotate screen on the project."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import typer

from workbench.cli.common import SPLITS, STATUSES, each_of, err, project_of
from workbench.errors import WorkbenchError
from workbench.store.selection import find_document

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.session.state import Review


def annotate(
    ctx: typer.Context,
    annotator: str | None = typer.Option(
        None, help="Who is annotating: recorded with every revision (default: the login name)."
    ),
    doc: str | None = typer.Option(
        None, help="Open this document first: its id (a PMID) or #N, accepted ones too."
    ),
    review: bool = typer.Option(
        False, "--review", help="Go over documents already done instead of the pool's queue."
    ),
    split: list[str] = typer.Option(
        [], help="--review: only these splits (repeatable; default all).", callback=each_of(SPLITS)
    ),
    status: list[str] = typer.Option(
        [],
        help="--review: only these statuses (repeatable; default accepted).",
        callback=each_of(STATUSES),
    ),
    label: str | None = typer.Option(None, help="--review: documents with an entity of it."),
    by: str | None = typer.Option(None, help="--review: documents this annotator saved."),
    disagree: bool = typer.Option(
        False,
        "--disagree",
        help="--review: only where the active model disagrees, most differences first.",
    ),
    adjudicate: bool = typer.Option(
        False,
        "--adjudicate",
        help="Settle double-annotated documents whose annotators disagree, side by side.",
    ),
) -> None:
    """Correct the model's suggestions document by document (keys: press ? inside)."""
    from workbench.session.state import Review  # the session loads only for the screen
    from workbench.tui.app import WorkbenchApp

    project = project_of(ctx)
    # a newer or broken database fails here, in one line, before the screen opens; rounds
    # left running by a dead process are marked failed by the dashboard's first read
    conn = project.connect()
    try:
        if doc is not None and find_document(conn, doc) is None:
            raise WorkbenchError(f"no document {doc} in this project")
    finally:
        conn.close()
    chosen = None
    if adjudicate and (review or doc is not None):
        raise WorkbenchError("--adjudicate goes over its own queue: no --review or --doc with it")
    if review:
        if label is not None and label not in project.config.label_names:
            raise WorkbenchError(
                f"unknown label {label!r} (one of {', '.join(project.config.label_names)})"
            )
        chosen = Review(tuple(split), tuple(status) or ("accepted",), label, by)
        if disagree:
            chosen = replace(chosen, only=_disagreeing(project, chosen))
    elif split or status or label or by or disagree:
        raise WorkbenchError("--split, --status, --label, --by and --disagree filter a --review")
    WorkbenchApp(
        project, annotator=annotator, document=doc, review=chosen, adjudicate=adjudicate
    ).run()


def _disagreeing(project: Project, review: Review) -> tuple[int, ...]:
    """The review's documents where the active model differs, most differences first."""
    from workbench.ops.review import disagreements
    from workbench.store.queue import review_order

    conn = project.connect()
    try:
        ids = review_order(conn, review.splits, review.statuses, review.label, review.author)
    finally:
        conn.close()
    found = disagreements(
        project,
        ids,
        lambda done, total: err.print(f"\rcomparing with the active model: {done}/{total}", end=""),
        device=project.config.device,
    )
    err.print(f"\n{len(found)} of {len(ids)} documents differ from the model's reading")
    return tuple(doc_id for doc_id, _ in found)
