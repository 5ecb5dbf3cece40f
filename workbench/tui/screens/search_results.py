"""`/` (text not in the open document) and `ctrl+f`: the documents that hold the text, one
row each (its id, split and status, a snippet with the match); enter opens one with the
match selected, so a label key labels it as after `/` in the document."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from workbench.session.search import Hit, Hits

ID_WIDTH = 10  # a PMID and two spaces; a longer id pushes its row's snippet right
WHERE_WIDTH = 16  # "train/accepted" and two spaces
MAX_BOX = 110  # the box's columns, as workbench.tcss says
CHROME = 4 + 1  # the box's border and padding, the list's scrollbar
ROWS_AROUND = 2 + 1 + 2  # the box's border, the title, the hint and the space above it


def snippet_width(columns: int) -> int:
    """The snippet's characters so a row fits the box on one line at this terminal width."""
    return max(20, min(MAX_BOX, columns) - CHROME - ID_WIDTH - WHERE_WIDTH)


def _title(hits: Hits, absent: bool) -> str:
    """What the list holds: "3 documents hold 'x'", capped ("the first 200 ...")."""
    n = len(hits.hits)
    what = "it" if absent else repr(hits.needle)
    if hits.more:
        said = f"the first {n} documents that hold {what} are listed (more do)"
    else:
        said = f"{n} document{'' if n == 1 else 's'} hold{'s' if n == 1 else ''} {what}"
    if absent:
        return f"{hits.needle!r} is not in this document; {said}"
    return said[:1].upper() + said[1:]


def _row(hit: Hit) -> Text:
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append(hit.ident.ljust(ID_WIDTH - 2) + "  ", style="bold")
    row.append(f"{hit.split}/{hit.status}".ljust(WHERE_WIDTH - 2) + "  ", style="dim")
    s = hit.snippet
    row.append(s.text[: s.start])
    row.append(s.text[s.start : s.end], style="bold reverse")
    row.append(s.text[s.end :])
    return row


class SearchResultsScreen(ModalScreen[Hit | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "back", show=False),
        Binding("j", "cursor(1)", "down", show=False),
        Binding("k", "cursor(-1)", "up", show=False),
    ]

    def __init__(self, hits: Hits, absent: bool = False):
        """``absent``: `/` came here because the open document does not hold the text."""
        super().__init__()
        self.hits = hits
        self.absent = absent

    def compose(self) -> ComposeResult:
        with Vertical(id="search-results"):
            yield Static(_title(self.hits, self.absent), classes="title", markup=False)
            yield OptionList(
                *[Option(_row(h), id=str(i)) for i, h in enumerate(self.hits.hits)],
                id="search-hits",
                compact=True,
            )
            yield Static("enter opens it with the match selected; escape goes back", classes="hint")

    def on_mount(self) -> None:
        hits = self.query_one("#search-hits", OptionList)
        hits.highlighted = 0
        hits.focus()
        self._fit(self.app.size.height)

    def on_resize(self, event: Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, rows: int) -> None:
        """A long list scrolls inside the box, so the title and the hint stay in sight."""
        self.query_one("#search-hits", OptionList).styles.max_height = max(3, rows - ROWS_AROUND)

    def action_cursor(self, delta: int) -> None:
        hits = self.query_one("#search-hits", OptionList)
        if delta > 0:
            hits.action_cursor_down()
        else:
            hits.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.hits.hits[event.option_index])
