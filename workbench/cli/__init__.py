"""The `workbench` command: thin Typer wrappers over plain functions."""

from __future__ import annotations

from workbench.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
