"""`workbench annotate`: open the annotate screen on the project."""

from __future__ import annotations

import typer

from workbench.cli.common import project_of
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
) -> None:
    """Correct the model's suggestions document by document (keys: press ? inside)."""
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
    WorkbenchApp(project, annotator=annotator, document=doc).run()
