"""A save refused because another session saved the document first: the user chooses."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Static


class ConflictScreen(ModalScreen[str]):
    """Dismissed with "reload" (take the stored version, drop this session's edits since)
    or "keep" (both sessions' entities, saved as a new revision on top)."""

    def __init__(self, document: str, message: str):
        super().__init__()
        self.document = document
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="conflict"):
            yield Static(f"Document {self.document} was changed elsewhere", classes="title")
            yield Static(self.message, id="conflict-message")
            yield Static(
                "Your edits to it since were not saved.\n"
                "r  reload: show the saved version (your edits since are dropped)\n"
                "k  keep both: the saved entities and yours, as a new revision",
                classes="hint",
            )

    def on_key(self, event: Key) -> None:
        event.stop()
        if event.key in ("r", "k"):
            self.dismiss("reload" if event.key == "r" else "keep")
