"""A one-line question in a box: `g` and `/` ask theirs through it; enter answers, escape
goes back."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[str | None]):
    BOX: ClassVar[str] = "prompt"
    TITLE_TEXT: ClassVar[str] = ""
    PLACEHOLDER: ClassVar[str] = ""
    HINT: ClassVar[str] = "enter answers; escape goes back"

    def __init__(self, value: str = ""):
        super().__init__()
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id=self.BOX):
            yield Static(self.TITLE_TEXT, classes="title")
            yield Input(value=self.value, placeholder=self.PLACEHOLDER, id=f"{self.BOX}-text")
            yield Static(self.HINT, classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def on_key(self, event: Key) -> None:
        if event.key == "escape":
            event.stop()
            self.dismiss(None)
