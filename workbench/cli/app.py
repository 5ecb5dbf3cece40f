"""The Typer app, the global --project option and the one place errors become exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.text import Text
from typer import _click  # typer vendors click; its Context is the base type
from typer.core import TyperGroup

from workbench.errors import WorkbenchError

err_console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


class WorkbenchGroup(TyperGroup):
    """Turns a WorkbenchError anywhere below into one line on stderr and its exit code."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            err_console.print(Text("error: ", style="bold red") + Text(str(exc)))
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=WorkbenchGroup,
    help="A keyboard-driven terminal workbench for biomedical named-entity recognition.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    ctx: typer.Context,
    project: Path | None = typer.Option(
        None,
        "--project",
        "-P",
        help="Project directory (else $WORKBENCH_PROJECT, else the current directory).",
        file_okay=False,
    ),
) -> None:
    ctx.obj = {"project": project}


def project_option(ctx: typer.Context) -> Path | None:
    obj = ctx.find_root().obj or {}
    value: Path | None = obj.get("project")
    return value


# Command modules register themselves on `app`.
from workbench.cli import (  # noqa: E402, F401
    active_cmds,
    annotate_cmd,
    data_cmds,
    model_cmds,
    project_cmds,
)
