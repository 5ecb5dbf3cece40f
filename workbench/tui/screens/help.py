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
    ("/", "find text in the document (selected: a label key labels it); else a list"),
    ("ctrl+f", "find text in the corpus: the documents that hold it, enter opens one"),
    ("*", "label every other occurrence of the entity under the cursor"),
    ("o  then 1 .. 9", "one more entity over those there (nested or crossing mentions)"),
    ("c", "the concept id of the entity under the cursor (the dictionaries propose)"),
    ("d", "show or hide the dashboard"),
    ("R", "start a retrain round in the background"),
    ("ctrl+p", "the command palette: every action by name"),
    ("?", "this help"),
    ("q", "quit: every edit is already saved"),
]


# The screen's actions in the command palette (ctrl+p): title, what it does, the action.
COMMANDS = [
    ("Accept", "accept the document and open the next in the queue", "accept"),
    ("Skip", "skip the document", "skip"),
    ("Next document", "without accepting (edits are kept as a draft)", "next_doc"),
    ("Previous document", "without accepting (edits are kept as a draft)", "prev_doc"),
    ("Go to document", "by its id (a PMID) or #N, accepted ones too", "goto"),
    ("Find", "text in the document, or the documents that hold it", "search"),
    ("Find in the corpus", "the documents that hold some text, to open one", "search_corpus"),
    ("Label every occurrence", "of the entity under the cursor", "label_every"),
    ("Overlapping entity", "the next label key adds one over those there", "overlap"),
    ("Concept id", "set or remove the concept id of the entity under the cursor", "concept"),
    ("Delete entity", "the entity under the cursor", "delete"),
    ("Undo", "the last edit, across documents", "undo"),
    ("Redo", "the last undone edit", "redo"),
    ("Dashboard", "show or hide the rounds, the curve and the scores", "dashboard"),
    ("Retrain", "start an active-learning round in the background", "retrain"),
    ("Help", "every key of the annotate screen", "help"),
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
