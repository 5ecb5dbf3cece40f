"""What every command module shares: the consoles and the global --project option."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from workbench.project import Project, find_project

# Results go to standard output, messages and progress to standard error.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


def project_option(ctx: typer.Context) -> Path | None:
    obj = ctx.find_root().obj or {}
    value: Path | None = obj.get("project")
    return value


def project_of(ctx: typer.Context) -> Project:
    """The project named by --project, else $WORKBENCH_PROJECT, else the current directory."""
    return find_project(project_option(ctx))


def log(message: str) -> None:
    err.print(message)
