"""Progress on standard error: a rich bar on a terminal, a line per dev evaluation always."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from workbench.cli.common import err


class _Bar:
    """A rich progress bar used as a context manager; drawn only on a terminal."""

    bar: Progress

    def __enter__(self) -> Self:
        self.bar.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.bar.__exit__(kind, exc, tb)


class TrainBar(_Bar):
    """Steps, loss, the last dev F1 and an ETA while a model trains (`train`, `retrain`)."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("training"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("dev F1 {task.fields[f1]}"),
            TimeRemainingColumn(),
            console=err,
            disable=not err.is_terminal,
            transient=True,
        )
        self.task = self.bar.add_task("train", total=None, loss="-", f1="-")

    def step(self, step: int, total: int, loss: float | None) -> None:
        shown = "-" if loss is None else f"{loss:.3f}"
        self.bar.update(self.task, completed=step, total=total, loss=shown)

    def evaluated(self, epoch: float, epochs: int, metrics: dict[str, float]) -> None:
        f1 = metrics.get("f1", 0.0)
        self.bar.update(self.task, f1=f"{f1:.4f}")
        self.bar.console.print(
            f"epoch {epoch:.2f}/{epochs}: dev F1 {f1:.4f} "
            f"(P {metrics.get('precision', 0):.4f} R {metrics.get('recall', 0):.4f})"
        )


class CountBar(_Bar):
    """Documents done out of all, with an ETA (`evaluate`)."""

    def __init__(self, what: str) -> None:
        self.bar = Progress(
            TextColumn(what),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=not err.is_terminal,
            transient=True,
        )
        self.task = self.bar.add_task(what, total=None)

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)
