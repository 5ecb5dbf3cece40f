"""A WorkbenchError (or a failed save) shown as a modal: one line, and any key goes on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Static


class ErrorScreen(ModalScreen[None]):
    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error"):
            yield Static("Error", classes="title")
            yield Static(self.message, id="error-message")
            yield Static("Press any key to go on.", classes="hint")

    def on_key(self, event: Key) -> None:
        event.stop()
        self.dismiss(None)
