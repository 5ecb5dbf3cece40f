"""The Typer app: the global --project option, the one place errors become exit codes, and the
commands registered in the order of the loop (the order `--help` lists them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.text import Text
from typer import _click  # typer vendors click; its Context is the base type
from typer.core import TyperGroup

from workbench.cli import active_cmds, annotate_cmd, data_cmds, model_cmds, project_cmds, tag_cmd
from workbench.cli.common import err
from workbench.errors import WorkbenchError


class WorkbenchGroup(TyperGroup):
    """Turns a WorkbenchError anywhere below into one line on stderr and its exit code."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            err.print(Text("error: ", style="bold red") + Text(str(exc)))
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


# The loop: set up, load, correct, train and score, use, improve, inspect, hand over.
for name, command in (
    ("init", project_cmds.init),
    ("import", data_cmds.import_),
    ("annotate", annotate_cmd.annotate),
    ("train", model_cmds.train),
    ("evaluate", model_cmds.evaluate),
    ("tag", tag_cmd.tag),
    ("retrain", active_cmds.retrain),
    ("simulate", active_cmds.simulate),
    ("status", project_cmds.status),
    ("export", data_cmds.export),
):
    app.command(name)(command)
