"""`/`: find text in the open document (the match selected, ready for a label key), and
say which other documents hold it (`g` opens one)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class SearchScreen(ModalScreen[str | None]):
    def __init__(self, last: str = ""):
        super().__init__()
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            yield Static("Find", classes="title")
            yield Input(value=self.last, placeholder="text (case ignored)", id="search-text")
            yield Static("enter finds the next occurrence; escape goes back", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def on_key(self, event: Key) -> None:
        if event.key == "escape":
            event.stop()
            self.dismiss(None)
