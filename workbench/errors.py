"""The one domain exception: shown as one line by the CLI, as a modal by the TUI."""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """A problem the user can fix; never shown with a traceback."""

    exit_code = 1


class FormatError(WorkbenchError):
    """Malformed input, located to a file and (when known) a line."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return where + self.message


class EmptyInputError(FormatError):
    """A file or input with nothing but white space: `tag` skips such files in a directory."""


class ProjectError(WorkbenchError):
    """No project, a broken workbench.toml, an unknown label."""


class StoreError(WorkbenchError):
    """A database this version cannot use (newer schema, not a workbench database)."""

    exit_code = 3


class ModelError(WorkbenchError):
    """No model, a model directory that cannot be loaded, a training run that cannot start."""

    exit_code = 4
