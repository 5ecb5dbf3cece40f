"""The side panel: the open document's entities with label, confidence and where they came from.

A Line API widget: its rows are built once per change as segments (a rich
Table cost most of a document's opening), and it scrolls to keep the entity
under the cursor in view when a document has more entities than rows.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.events import Click, Resize
from textual.geometry import Region, Size

from workbench.core.relations import relations_of
from workbench.session.draft import Draft
from workbench.tui.messages import EntityClicked
from workbench.tui.widgets.line_view import LineView

BOLD = Style(bold=True)
DIM = Style(dim=True)
HERE = Style(reverse=True)
CONF = 4  # "0.97"
HEADER_ROWS = 2  # the title and the column names


class EntityPanel(LineView):
    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self._shown: object = None
        self._args: tuple[Draft | None, dict[str, str], str] = (None, {}, "")
        self._lines: list[list[Segment]] = []
        self._doc_id: int | None = None
        self._here: int | None = None  # the row of the entity under the cursor

    def show(self, draft: Draft | None, colours: dict[str, str], note: str = "") -> None:
        """Rebuilt only when what it lists changed; a cursor move only moves the highlighted
        row (a document of 200 entities would otherwise rebuild them all on every key)."""
        key: object = note
        if draft is not None:
            key = (draft.doc_id, tuple(draft.entities), draft.status, draft.suggested_by, note)
        self._args = (draft, colours, note)
        if key != self._shown:
            self._shown = key
            self._rebuild()
        else:
            self._follow_cursor()

    def on_resize(self, event: Resize) -> None:
        self._rebuild()

    def on_click(self, event: Click) -> None:
        """A click on an entity's row puts the cursor on that entity."""
        offset = event.get_content_offset(self)
        draft = self._args[0]
        if offset is None or draft is None:
            return
        row = self.scroll_offset.y + offset.y - HEADER_ROWS
        if 0 <= row < len(draft.entities):
            self.post_message(EntityClicked(row))

    def _rebuild(self) -> None:
        width = self.scrollable_content_region.width
        draft, colours, note = self._args
        self._lines = _rows(draft, colours, note, max(width, 12))
        self.virtual_size = Size(width, len(self._lines))
        doc_id = draft.doc_id if draft is not None else None
        if doc_id != self._doc_id:  # a new document starts at the top
            self._doc_id = doc_id
            self.scroll_to(y=0, animate=False)
        self._here = None
        self._follow_cursor()
        self.refresh()

    def _follow_cursor(self) -> None:
        """Highlight the row of the entity under the cursor and keep it in view."""
        draft = self._args[0]
        here = None if draft is None else draft.entity_at(draft.cursor)
        row = None if here is None or draft is None else HEADER_ROWS + draft.entities.index(here)
        if row == self._here:
            return
        for old in (self._here, row):
            if old is not None:
                self.refresh_line(old)
        self._here = row
        if row is not None:
            width = self.scrollable_content_region.width
            self.scroll_to_region(Region(0, row, width, 1), animate=False, immediate=True)

    def line_segments(self, n: int) -> list[Segment] | None:
        if n >= len(self._lines):
            return None
        line = self._lines[n]
        if n == self._here and len(line) > 2:  # label, gap, text: the text reversed
            line = [*line[:2], Segment(line[2].text, HERE), *line[3:]]
        return line


def _rows(
    draft: Draft | None, colours: dict[str, str], note: str, width: int
) -> list[list[Segment]]:
    if draft is None:
        return [[Segment(line)] for line in note.splitlines()]
    title = [Segment(f"{len(draft.entities)} entities", BOLD)]
    if note:
        title.append(Segment(f"  {note}", DIM))
    label_w = max([len("label"), *(len(e.label) + 2 for e in draft.entities)])
    # Columns only where an entity fills them: a confidence (model suggestions), a concept
    # id (PubTator, BioC, brat imports); the text gets the rest of the panel.
    conf_w = CONF + 1 if any(e.score is not None for e in draft.entities) else 0
    concepts = [e.concept or "" for e in draft.entities]
    concept_w = min(11, max(8, *(len(c) + 1 for c in concepts))) if any(concepts) else 0
    text_w = max(4, width - label_w - 1 - conf_w - concept_w)
    columns = f"{_cell('label', label_w)} {_cell('text', text_w)}"
    columns += f" {'conf':>{CONF}}" if conf_w else ""
    columns += " " + _cell("concept", concept_w - 1) if concept_w else ""
    lines = [title, [Segment(columns, BOLD)]]
    doc = draft.doc
    layered = draft.layered()
    for k, (e, concept) in enumerate(zip(draft.entities, concepts, strict=True)):
        words = doc.text[doc.tokens[e.first].start : doc.tokens[e.last].end].replace("\n", " ")
        mark = ("?" if draft.is_suggestion(e) else "") + ("+" if k in layered else "")
        colour = Style.parse(f"bold {colours.get(e.label, 'white')}")
        row = [
            Segment(_cell(e.label + mark, label_w), colour),
            Segment(" "),
            Segment(_cell(words, text_w)),
        ]
        if conf_w:
            row.append(Segment(" " + ("" if e.score is None else f"{e.score:.2f}").rjust(CONF)))
        if concept_w:
            row.append(Segment(" " + _cell(concept, concept_w - 1), DIM))
        lines.append(row)
    lines.append([Segment("? = suggestion  + = overlaps", DIM)])
    keys: list[Segment] = []
    for n, (name, shade) in enumerate(colours.items(), start=1):
        keys += [Segment(f"{n} ", BOLD), Segment(f"{name}  ", Style.parse(f"bold {shade}"))]
    if keys:
        lines.append(keys)
    relations = relations_of(draft.doc)  # of the document as imported (PubTator, BioC, brat)
    if relations:
        lines.append(
            [Segment(f"{len(relations)} relation{'s' if len(relations) != 1 else ''}", BOLD)]
        )
        for r in relations:
            lines.append([Segment(_cell(f"{r.kind} {r.source} → {r.target}", width))])
    return lines


def _cell(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells, cut with an ellipsis when longer."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)
