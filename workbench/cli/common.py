"""What every command module shares: the consoles and the global --project option."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

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


# The closed sets a command line offers, as Typer choices (a wrong one is a usage error).
Device = Literal["auto", "cpu", "cuda"]
Precision = Literal["auto", "fp32", "bf16"]
Split = Literal["pool", "train", "dev", "test"]
Strategy = Literal["random", "lc", "mnlp", "entropy", "bald"]


def format_choice(capability: str, extra: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """A callback that refuses a format the registry does not offer (a usage error)."""

    def check(value: Any) -> Any:
        from workbench.formats import choices

        allowed = [*extra, *choices(capability)]
        if value is not None and value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return check


def each_of(allowed: tuple[str, ...]) -> Callable[[Any], Any]:
    """A callback for a repeatable option whose every value must be one of ``allowed``."""

    def check(values: Any) -> Any:
        for value in values or []:
            if value not in allowed:
                raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
        return values

    return check


SPLITS: tuple[str, ...] = ("pool", "train", "dev", "test")
STATUSES: tuple[str, ...] = ("new", "draft", "accepted", "skipped")
STRATEGIES: tuple[str, ...] = ("random", "lc", "mnlp", "entropy", "bald")
