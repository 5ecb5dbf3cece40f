"""A self-scrolling Line API widget drawn from rows of segments.

The document view and the entity panel both draw their lines themselves, so a
new document changes only their virtual size (one layout of the screen) and no
line goes through Textual's text wrapping.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineView(ScrollView, can_focus=False):
    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self._base = Style()
        self._width = 0

    def line_segments(self, n: int) -> list[Segment] | None:
        """Line ``n`` of the content, styles without the widget's base; None past the end."""
        raise NotImplementedError

    def render_lines(self, crop: Region) -> list[Strip]:
        # the base style walks the DOM: once per paint, not once per line
        self._base = self.rich_style
        self._width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base, width = self._base, self._width
        segments = self.line_segments(self.scroll_offset.y + y)
        if segments is None:
            return Strip.blank(width, base)
        styled = [Segment(s.text, base + s.style if s.style else base) for s in segments]
        return Strip(styled).adjust_cell_length(width, base)
