"""`workbench annotate`: open the annotate screen on the project."""

from __future__ import annotations

import typer

from workbench.cli.common import SPLITS, STATUSES, each_of, project_of
from workbench.errors import WorkbenchError
from workbench.store.selection import find_document


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
    if review:
        if label is not None and label not in project.config.label_names:
            raise WorkbenchError(
                f"unknown label {label!r} (one of {', '.join(project.config.label_names)})"
            )
        chosen = Review(tuple(split), tuple(status) or ("accepted",), label, by)
    elif split or status or label or by:
        raise WorkbenchError("--split, --status, --label and --by filter a --review")
    WorkbenchApp(project, annotator=annotator, document=doc, review=chosen).run()
