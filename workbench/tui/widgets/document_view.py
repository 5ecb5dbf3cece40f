"""The open document, entities coloured by label, with the token cursor and the selection."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.widget import Widget

from workbench.tui.draft import Draft
from workbench.tui.layout import Layout, layout

CURSOR = Style.parse("bold black on bright_white")
SELECTED = Style.parse("bold white on grey39")


class DocumentView(Widget):
    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.draft: Draft | None = None
        self.colours: dict[str, str] = {}
        self._layout: tuple[int, Layout] | None = None

    def show(self, draft: Draft | None, colours: dict[str, str]) -> None:
        self.draft = draft
        self.colours = colours
        self._layout = None
        self.refresh(layout=True)

    def layout_for(self, width: int) -> Layout | None:
        if self.draft is None:
            return None
        if self._layout is None or self._layout[0] != width:
            self._layout = (width, layout(self.draft.doc, width))
        return self._layout[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        lay = self.layout_for(width)
        return 1 if lay is None else len(lay.lines)

    def cursor_region(self) -> Region | None:
        lay = self.layout_for(self.content_size.width)
        if lay is None or self.draft is None or not lay.where:
            return None
        line, _ = lay.where[self.draft.cursor]
        return Region(0, line, self.content_size.width, 1)

    def token_on_line(self, delta: int) -> int | None:
        lay = self.layout_for(self.content_size.width)
        if lay is None or self.draft is None or not lay.where:
            return None
        return lay.token_above(self.draft.cursor, delta)

    def render(self) -> Text:
        d = self.draft
        lay = self.layout_for(self.content_size.width)
        if d is None or lay is None:
            return Text("")
        styles = self._token_styles(d)
        a, b = d.selection()
        text = d.doc.text
        out = Text(no_wrap=True, overflow="crop")
        for n, line in enumerate(lay.lines):
            if n:
                out.append("\n")
            for k, piece in enumerate(line):
                chunk = text[piece.start : piece.end].replace("\t", " ").replace("\n", " ")
                if piece.token is not None:
                    i = piece.token
                    if i == d.cursor:
                        style = CURSOR
                    elif a <= i <= b and a != b:
                        style = SELECTED
                    else:
                        style = styles.get(i, Style())
                    out.append(chunk, style)
                else:
                    # the gap inside one entity or one selection carries its style
                    left = line[k - 1].token if k else None
                    right = line[k + 1].token if k + 1 < len(line) else None
                    style = Style()
                    if left is not None and right is not None:
                        if a <= left and right <= b and a != b:
                            style = SELECTED
                        elif styles.get(left) is not None and d.entity_at(left) is d.entity_at(
                            right
                        ):
                            style = styles[left]
                    out.append(chunk, style)
        return out

    def _token_styles(self, d: Draft) -> dict[int, Style]:
        styles: dict[int, Style] = {}
        for e in d.entities:
            colour = self.colours.get(e.label, "white")
            if d.is_suggestion(e):
                style = Style.parse(f"bold underline {colour}")
            else:
                style = Style.parse(f"bold black on {colour}")
            for i in range(e.first, e.last + 1):
                styles[i] = style
        return styles
