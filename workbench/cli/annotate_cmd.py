"""`workbench annotate`: open the annotate screen on the project."""

from __future__ import annotations

import typer

from workbench.cli.app import app, project_option
from workbench.project import find_project


@app.command()
def annotate(ctx: typer.Context) -> None:
    """Correct the model's suggestions document by document (keys: press ? inside)."""
    from workbench.store.models import mark_stale_rounds
    from workbench.tui.app import WorkbenchApp

    project = find_project(project_option(ctx))
    conn = project.connect()  # a newer or broken database fails here, before the screen opens
    try:
        mark_stale_rounds(conn)
    finally:
        conn.close()
    WorkbenchApp(project).run()
