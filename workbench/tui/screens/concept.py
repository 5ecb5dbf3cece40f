"""`c`: the concept id (a MeSH id, ...) of the entity under the cursor, with the concepts the
project's dictionaries propose for its text and label."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from workbench.core.concepts import Concept
from workbench.tui.screens.prompt import PromptScreen

CLEAR = "-"


class ConceptScreen(PromptScreen):
    BOX = "concept"
    TITLE_TEXT = "Concept id"
    PLACEHOLDER = "an id such as D015738"
    HINT = f"enter sets it; {CLEAR} removes the id; escape goes back"

    def __init__(self, mention: str, label: str, current: str | None, proposed: list[Concept]):
        super().__init__(current or (proposed[0].id if proposed else ""))
        self.mention, self.label, self.proposed = mention, label, proposed

    def compose(self) -> ComposeResult:
        shown = [f"{c.id}  {c.name}" for c in self.proposed[:6]]
        more = len(self.proposed) - len(shown)
        proposals = (
            "The dictionaries propose:\n  "
            + "\n  ".join(shown)
            + (f"\n  … {more} more" if more > 0 else "")
            if shown
            else "No dictionary names this text as a concept of this label."
        )
        with Vertical(id=self.BOX):
            yield Static(f"{self.TITLE_TEXT} of {self.mention!r} ({self.label})", classes="title")
            yield Input(value=self.value, placeholder=self.PLACEHOLDER, id=f"{self.BOX}-text")
            yield Static(proposals, classes="hint")
            yield Static(self.HINT, classes="hint")
