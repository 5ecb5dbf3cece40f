"""The `workbench` command: thin Typer wrappers over plain functions."""

from __future__ import annotations

from workbench.cli.app import app


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `workbench tag ... | head`: the reader left, nothing to report
        import os
        import sys

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


__all__ = ["app", "main"]
