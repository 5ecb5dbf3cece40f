"""The open document, entities coloured by label, with the token cursor and the selection.

A Line API widget that scrolls itself: a new document changes its virtual
size, never its own size, so opening one costs one layout of the screen, and
each line is drawn from the wrap layout without Textual's text wrapping.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.events import Click, MouseDown, MouseEvent, MouseMove, MouseUp, Resize
from textual.geometry import Region, Size

from workbench.session.draft import Draft, Entity
from workbench.tui.layout import Layout, layout
from workbench.tui.messages import TokenClicked
from workbench.tui.widgets.line_view import LineView

CURSOR = Style.parse("bold black on bright_white")
SELECTED = Style.parse("bold white on grey39")
MARKED = Style(bold=True, reverse=True)
LAYERED = Style(italic=True, underline=True)  # a token inside two entities


class DocumentView(LineView):
    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.draft: Draft | None = None
        self.colours: dict[str, str] = {}
        self._layout: Layout | None = None
        self._token_styles: dict[int, Style] | None = None
        self._owners: dict[int, Entity] = {}
        self._drag_from: int | None = None  # the token a mouse press began on
        self._dragged = False
        # where no cursor is drawn (adjudication), these tokens are marked instead
        self.marked: tuple[int, int] | None = None

    # -- what it shows -----------------------------------------------------------

    def show(self, draft: Draft | None, colours: dict[str, str]) -> None:
        """A new document: lay it out for the current width and scroll to its cursor."""
        self.draft = draft
        self.colours = colours
        self._relayout()
        self.scroll_to(y=0, animate=False)
        self.scroll_to_cursor()
        self.changed()

    def changed(self) -> None:
        """The draft's entities, cursor or selection changed: draw it again."""
        self._token_styles = None
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        self._relayout()
        self.scroll_to_cursor()
        self.refresh()

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width
        if self.draft is None or width <= 0:  # not laid out yet: on_resize comes
            self._layout = None
            self.virtual_size = Size(0, 0)
            return
        self._layout = layout(self.draft.doc, width)
        self.virtual_size = Size(width, len(self._layout.lines))

    # -- the cursor ----------------------------------------------------------------

    def cursor_line(self) -> int | None:
        lay = self._layout
        if lay is None or self.draft is None or not lay.where:
            return None
        return lay.where[self.draft.cursor][0]

    def scroll_to_cursor(self) -> None:
        if (line := self.cursor_line()) is None:
            return
        self.scroll_to_region(
            Region(0, line, self.virtual_size.width, 1), animate=False, immediate=True
        )

    def token_on_line(self, delta: int) -> int | None:
        lay = self._layout
        if lay is None or self.draft is None or not lay.where:
            return None
        return lay.token_above(self.draft.cursor, delta)

    def _token_under(self, event: MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if self._layout is None or offset is None:
            return None
        return self._layout.token_at(self.scroll_offset.y + offset.y, offset.x)

    def on_mouse_down(self, event: MouseDown) -> None:
        """A press starts a drag: the cursor goes where the button is released."""
        self._drag_from = self._token_under(event)
        self._dragged = False
        if self._drag_from is not None:
            self.capture_mouse()

    def on_mouse_move(self, event: MouseMove) -> None:
        if self._drag_from is None or not event.button:
            return
        token = self._token_under(event)
        if token is not None and (self._dragged or token != self._drag_from):
            if not self._dragged:  # the selection is anchored where the drag began
                self.post_message(TokenClicked(self._drag_from, extend=False))
                self._dragged = True
            self.post_message(TokenClicked(token, extend=True))

    def on_mouse_up(self, event: MouseUp) -> None:
        self.release_mouse()
        self._drag_from = None

    def on_click(self, event: Click) -> None:
        """A click puts the cursor on the token under it; shift+click selects up to it; a
        drag (press on one word, release on another) selects from one to the other."""
        if self._dragged:
            self._dragged = False
            return
        token = self._token_under(event)
        if token is not None:
            self.post_message(TokenClicked(token, extend=event.shift))

    # -- drawing -------------------------------------------------------------------

    def line_segments(self, n: int) -> list[Segment] | None:
        d, lay = self.draft, self._layout
        if d is None or lay is None or n >= len(lay.lines):
            return None
        if self._token_styles is None:
            self._token_styles = self._styles_of(d)
        styles = self._token_styles
        a, b = d.selection()
        selecting = a != b
        text = d.doc.text
        line = lay.lines[n]
        segments: list[Segment] = []
        for k, piece in enumerate(line):
            chunk = text[piece.start : piece.end].replace("\t", " ").replace("\n", " ")
            style: Style | None = None
            if (i := piece.token) is not None:
                if self.marked is not None:
                    lo, hi = self.marked
                    style = styles.get(i, Style()) + MARKED if lo <= i <= hi else styles.get(i)
                elif i == d.cursor:
                    style = CURSOR
                elif selecting and a <= i <= b:
                    style = SELECTED
                else:
                    style = styles.get(i)
            else:
                # the gap inside one entity or one selection carries its style
                left = line[k - 1].token if k else None
                right = line[k + 1].token if k + 1 < len(line) else None
                if left is not None and right is not None:
                    owner = self._owners
                    same = left in owner and owner[left] is owner.get(right)
                    if self.marked is not None and self.marked[0] <= left < right <= self.marked[1]:
                        style = (styles[left] if same else Style()) + MARKED
                    elif selecting and a <= left and right <= b:
                        style = SELECTED
                    elif same:
                        style = styles[left]
            segments.append(Segment(chunk, style))
        return segments

    def _styles_of(self, d: Draft) -> dict[int, Style]:
        """Each token in its entity's style; where entities overlap, the innermost one's,
        marked (italic, underlined) as lying on two layers."""
        styles: dict[int, Style] = {}
        layers: dict[int, int] = {}
        self._owners = {}  # token -> the innermost entity on it, as `Draft.entity_at` says
        for e in sorted(d.entities, key=lambda e: e.first - e.last):  # the longest first
            colour = self.colours.get(e.label, "white")
            if d.is_suggestion(e):
                style = Style.parse(f"bold underline {colour}")
            else:
                style = Style.parse(f"bold black on {colour}")
            for i in range(e.first, e.last + 1):
                styles[i] = style
                layers[i] = layers.get(i, 0) + 1
                self._owners[i] = e
        for i, n in layers.items():
            if n > 1:
                styles[i] = styles[i] + LAYERED
        return styles
