"""Mouse clicks put the cursor where they land; lines break between words, never inside
"gentamicin-treated", and a PubTator abstract starts on a line of its own."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from textual.events import MouseMove
from textual.pilot import Pilot

from tests.conftest import write
from tests.tui.conftest import drive, latest, pool_ids, settle
from workbench.core import Document, tokenize
from workbench.ops.importing import import_files
from workbench.project import Project, init_project
from workbench.tui.layout import layout
from workbench.tui.widgets.document_view import DocumentView
from workbench.tui.widgets.entity_panel import HEADER_ROWS


def _lines(doc: Document, width: int) -> list[str]:
    return ["".join(doc.text[p.start : p.end] for p in line) for line in layout(doc, width).lines]


def test_a_line_breaks_before_a_run_of_unspaced_tokens() -> None:
    text = "Rats were gentamicin-treated for analyses."
    doc = Document(text, tokenize(text))
    assert _lines(doc, 24) == ["Rats were ", "gentamicin-treated for ", "analyses."]


def test_a_pubtator_abstract_starts_on_its_own_line() -> None:
    text = "A title. The abstract."
    meta = {"pubtator": {"title_length": 8, "has_abstract": True}}
    doc = Document(text, tokenize(text), meta=meta)
    assert _lines(doc, 80) == ["A title.", "The abstract."]


@given(st.text(alphabet="ab -.\n", max_size=120), st.integers(min_value=8, max_value=40))
def test_every_token_is_drawn_once_within_the_width(text: str, width: int) -> None:
    doc = Document(text, tokenize(text))
    lay = layout(doc, width)
    drawn = [p for line in lay.lines for p in line if p.token is not None]
    assert sorted({p.token for p in drawn}) == list(range(len(doc.tokens)))
    for line in lay.lines:
        assert sum(p.end - p.start for p in line) <= max(8, width)


def _project(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    train = write(tmp_path / "t.tsv", "Aspirin\tB-Chemical\nhelps\tO\n")
    import_files(project, [train], fmt="conll", split="train")
    pool = write(tmp_path / "pool.txt", "Aspirin causes severe headache in rats .\n")
    import_files(project, [pool], fmt="text", split="pool")
    return project


def test_click_places_the_cursor_shift_click_selects_and_a_panel_row_jumps(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    first = pool_ids(project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        view = screen.query_one("#doc", DocumentView)
        x0 = view.content_region.x - view.region.x  # the border
        y0 = view.content_region.y - view.region.y
        await pilot.click("#doc", offset=(x0 + 16, y0))  # "severe" (columns 15-20)
        draft = screen.draft
        assert draft is not None and draft.cursor == 2
        await pilot.click("#doc", offset=(x0 + 24, y0), shift=True)  # through "headache"
        assert draft.selection() == (2, 3)
        await pilot.press("2")
        await settle(pilot)
        assert ("severe headache", "Disease", "added") in latest(project, first)[2]
        panel = screen.query_one("#entities")
        py0 = panel.content_region.y - panel.region.y
        await pilot.click("#entities", offset=(3, py0 + HEADER_ROWS))  # the first row: Aspirin
        assert draft.cursor == 0
        # a drag from "causes" to "severe" selects both; the release is no click
        await pilot.mouse_down("#doc", offset=(x0 + 9, y0))
        await pilot._post_mouse_events([MouseMove], "#doc", offset=(x0 + 17, y0), button=1)
        await pilot.mouse_up("#doc", offset=(x0 + 17, y0))
        await pilot.pause()
        assert draft.selection() == (1, 2)
        await pilot.press("1")
        await settle(pilot)
        assert ("causes severe", "Chemical", "added") in latest(project, first)[2]

    drive(project, body)
