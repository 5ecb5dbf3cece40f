"""`workbench annotate`: open the annotate screen on the project."""

from __future__ import annotations

import typer

from workbench.cli.common import project_of


def annotate(
    ctx: typer.Context,
    annotator: str | None = typer.Option(
        None, help="Who is annotating: recorded with every revision (default: the login name)."
    ),
) -> None:
    """Correct the model's suggestions document by document (keys: press ? inside)."""
    from workbench.tui.app import WorkbenchApp

    project = project_of(ctx)
    # a newer or broken database fails here, in one line, before the screen opens; rounds
    # left running by a dead process are marked failed by the dashboard's first read
    project.connect().close()
    WorkbenchApp(project, annotator=annotator).run()
