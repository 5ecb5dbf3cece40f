"""`g`: open a document by its id (a PMID) or its number in the project."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class GoToScreen(ModalScreen[str | None]):
    def compose(self) -> ComposeResult:
        with Vertical(id="goto"):
            yield Static("Go to document", classes="title")
            yield Input(placeholder="its id (a PMID), or #N for the project's number", id="goto-id")
            yield Static("enter opens it; escape goes back", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def on_key(self, event: Key) -> None:
        if event.key == "escape":
            event.stop()
            self.dismiss(None)
