"""The Typer app: the global --project option, the one place errors become exit codes, and the
commands registered in the order of the loop (the order `--help` lists them)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from rich.text import Text
from typer import _click  # typer vendors click; its Context is the base type
from typer.core import TyperGroup

from workbench.cli import (
    active_cmds,
    agreement_cmd,
    annotate_cmd,
    data_cmds,
    dict_cmd,
    model_cmds,
    project_cmds,
    tag_cmd,
)
from workbench.cli.common import err
from workbench.errors import StoreError, WorkbenchError


def _error(message: str) -> None:
    err.print(Text("error: ", style="bold red") + Text(message))


class WorkbenchGroup(TyperGroup):
    """The one place failures become output: a WorkbenchError anywhere below is one line on
    stderr and its exit code (errors.py lists them), and so is a usage mistake (exit 2)."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkbenchError as exc:
            _error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except sqlite3.Error as exc:  # a damaged or read-only database, met mid-command
            _error(database_problem(exc))
            raise typer.Exit(StoreError.exit_code) from None

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = _project_first(list(sys.argv[1:] if args is None else args))
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except _click.exceptions.ClickException as exc:
            where = exc.ctx.command_path if getattr(exc, "ctx", None) else "workbench"  # type: ignore[attr-defined]
            _error(f"{exc.format_message()} (see `{where} --help`)")
            if not standalone_mode:
                raise
            sys.exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            err.print("Aborted.")
            sys.exit(1)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


def database_problem(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "readonly" in text:
        return (
            "the project is read-only here, and this command writes to it; status, export, "
            "evaluate, models and tag only read"
        )
    if "malformed" in text or "not a database" in text:
        return (
            f"the database is damaged ({text}): restore workbench.db from a backup "
            "(`sqlite3 workbench.db .recover` may save what is left); nothing was changed"
        )
    return f"database error: {text}"


def _project_first(argv: list[str]) -> list[str]:
    """`-P DIR` (or `--project DIR`) is accepted after the command too: moved to the front."""
    out: list[str] = []
    moved: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            out += argv[i:]
            break
        if a in ("-P", "--project") and i + 1 < len(argv) and out:
            moved += [a, argv[i + 1]]
            i += 2
            continue
        if a.startswith("--project=") and out:
            moved.append(a)
        else:
            out.append(a)
        i += 1
    return moved + out


def _version(value: bool) -> None:
    if value:
        from workbench import __version__

        err.print(f"workbench {__version__}")
        raise typer.Exit(0)


app = typer.Typer(
    cls=WorkbenchGroup,
    help="A keyboard-driven terminal workbench for biomedical named-entity recognition.",
    no_args_is_help=True,
    add_completion=True,
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
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    ctx.obj = {"project": project}


# The loop: set up, load, correct, train and score, use, improve, inspect, hand over.
for name, command in (
    ("init", project_cmds.init),
    ("import", data_cmds.import_),
    ("import-dict", dict_cmd.import_dict),
    ("annotate", annotate_cmd.annotate),
    ("train", model_cmds.train),
    ("evaluate", model_cmds.evaluate),
    ("models", model_cmds.models),
    ("activate", model_cmds.activate),
    ("soup", model_cmds.soup),
    ("tag", tag_cmd.tag),
    ("retrain", active_cmds.retrain),
    ("simulate", active_cmds.simulate),
    ("status", project_cmds.status),
    ("agreement", agreement_cmd.agreement),
    ("export", data_cmds.export),
    ("split", data_cmds.split),
    ("remove", data_cmds.remove),
):
    app.command(name)(command)
