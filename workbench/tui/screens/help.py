"""`?`: every key of the annotate screen."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("left right  h l", "previous / next token"),
    ("up down  k j", "token on the line above / below"),
    ("shift+left shift+right  H L", "grow or shrink the selection from the cursor"),
    ("1 .. 9", "label the selection (or the token); on an entity, change its label"),
    ("tab  shift+tab", "next / previous entity"),
    ("x  delete", "remove the entity under the cursor"),
    ("enter  a", "accept the document and open the next in the queue"),
    ("s", "skip the document"),
    ("n  p", "next / previous document (edits are kept as a draft)"),
    ("u ctrl+z  /  ctrl+y", "undo / redo (across documents)"),
    ("g", "go to a document by its id (a PMID) or #N, accepted ones too"),
    ("/", "find text in the document (selected: a label key labels it); else where it is"),
    ("*", "label every other occurrence of the entity under the cursor"),
    ("d", "show or hide the dashboard"),
    ("R", "start a retrain round in the background"),
    ("?", "this help"),
    ("q", "quit: every edit is already saved"),
]


class HelpScreen(ModalScreen[None]):
    def __init__(self, labels: list[tuple[str, str]]):
        super().__init__()
        self.labels = labels

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        labels = "  ".join(f"{k} {name}" for k, name in self.labels)
        with Vertical(id="help"):
            yield Static("Keys", classes="title")
            yield Static(table)
            yield Static(f"Labels: {labels}", classes="labels")
            yield Static("Entities cover whole tokens. Press any key to close.", classes="hint")

    def on_key(self, event: Key) -> None:
        event.stop()
        self.dismiss(None)
