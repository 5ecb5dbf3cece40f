"""The header line: project, active model and its F1, queue position and ETA."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA -"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"ETA {minutes} min"
    return f"ETA {minutes // 60} h {minutes % 60:02d} min"


class StatusLine(Static):
    _shown = ""

    def show(
        self,
        project: str,
        model: str,
        position: str,
        eta: float | None,
        round_note: str = "",
    ) -> None:
        line = Text()
        line.append(" workbench ", style="bold reverse")
        line.append(f" {project} ", style="bold")
        line.append("│ ", style="dim")
        line.append(model)
        line.append(" │ ", style="dim")
        line.append(position)
        line.append(" │ ", style="dim")
        line.append(format_eta(eta))
        if round_note:
            line.append(" │ ", style="dim")
            line.append(round_note, style="bold yellow")
        if line.plain != self._shown:  # polled every second: repaint only on a change
            self._shown = line.plain
            self.update(line)
