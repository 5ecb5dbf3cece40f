"""The side panel: the open document's entities with label, confidence and where they came from."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from workbench.tui.draft import Draft

MAX_TEXT = 18


class EntityPanel(Static):
    _shown: object = None

    def show(self, draft: Draft | None, colours: dict[str, str], note: str = "") -> None:
        """Rebuilt only when what it lists changed: most keys only move the cursor."""
        key = None
        if draft is not None:
            here = draft.entity_at(draft.cursor)
            key = (
                draft.doc_id,
                tuple(draft.entities),
                here,
                draft.status,
                draft.suggested_by,
                note,
            )
        if key is not None and key == self._shown:
            return
        self._shown = key
        if draft is None:
            self.update(note)
            return
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)
        table.add_column("label", no_wrap=True)
        table.add_column("text", overflow="ellipsis", no_wrap=True, ratio=1)
        table.add_column("conf", justify="right", no_wrap=True)
        here = draft.entity_at(draft.cursor)
        doc = draft.doc
        for e in draft.entities:
            words = doc.text[doc.tokens[e.first].start : doc.tokens[e.last].end].replace("\n", " ")
            if len(words) > MAX_TEXT:
                words = words[: MAX_TEXT - 1] + "…"
            mark = "?" if draft.is_suggestion(e) else ""
            conf = "" if e.score is None else f"{e.score:.2f}"
            style = "reverse" if e is here else ""
            table.add_row(
                Text(e.label + mark, style=f"bold {colours.get(e.label, 'white')}"),
                Text(words, style=style),
                conf,
            )
        title = Text(f"{len(draft.entities)} entities", style="bold")
        if note:
            title.append(f"  {note}", style="dim")
        legend = Text("? = suggestion", style="dim")
        from rich.console import Group

        self.update(Group(title, table, legend), layout=False)  # its size is fixed by CSS
