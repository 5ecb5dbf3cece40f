"""Pilot tests: the real keys of DESIGN.md's table, then what the database holds."""

from __future__ import annotations

import json
from pathlib import Path

from textual.pilot import Pilot

from tests.conftest import write
from tests.tui.conftest import TRAIN, drive, latest, pool_ids, settle, shown
from workbench.ops.importing import import_files
from workbench.project import Project, init_project
from workbench.tui.screens.help import HelpScreen
from workbench.tui.widgets.dashboard import Dashboard
from workbench.tui.widgets.document_view import DocumentView
from workbench.tui.widgets.entity_panel import HEADER_ROWS, EntityPanel


def test_lexicon_suggests_before_any_model(tui_project: Project) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        draft = screen.draft
        assert draft is not None and draft.suggested_by == "lexicon"
        assert [(e.first, e.last, e.label, e.edit) for e in draft.entities] == [
            (0, 0, "Chemical", "suggested")
        ]
        # a suggestion is not saved until the user does something
        assert latest(tui_project, first)[1] == "import"

    drive(tui_project, body)


def test_label_a_token_then_a_three_token_selection(tui_project: Project) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        await pilot.press("right", "right", "right")  # on "headache"
        await pilot.press("2")
        await settle(pilot)
        status, kind, spans, _ = latest(tui_project, first)
        assert (status, kind) == ("draft", "draft")
        assert spans == [("Aspirin", "Chemical", "kept"), ("headache", "Disease", "added")]
        # from "causes", grow the selection to three tokens; it replaces "headache"
        await pilot.press("h", "h", "L", "shift+right", "1")
        await settle(pilot)
        _, _, spans, _ = latest(tui_project, first)
        assert spans == [
            ("Aspirin", "Chemical", "kept"),
            ("causes severe headache", "Chemical", "added"),
        ]

    drive(tui_project, body)


def test_grow_selection_to_three_tokens(tui_project: Project) -> None:
    second = pool_ids(tui_project)[1]

    async def body(pilot: Pilot[None]) -> None:
        await pilot.press("n")
        await settle(pilot)
        # "Naloxone reverses the hypotension": shift+right three times, back one (shrink)
        await pilot.press("shift+right", "shift+right", "shift+right", "H", "2")
        await settle(pilot)
        _, _, spans, _ = latest(tui_project, second)
        assert ("Naloxone reverses the", "Disease", "added") in spans

    drive(tui_project, body)


def test_relabel_delete_undo_redo(tui_project: Project) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        await pilot.press("2")  # on the suggested "Aspirin": now Disease
        await settle(pilot)
        assert latest(tui_project, first)[2] == [("Aspirin", "Disease", "changed")]
        await pilot.press("x")
        await settle(pilot)
        assert latest(tui_project, first)[2] == []
        await pilot.press("u")
        await settle(pilot)
        assert latest(tui_project, first)[2] == [("Aspirin", "Disease", "changed")]
        await pilot.press("u")
        await settle(pilot)
        assert latest(tui_project, first)[2] == [("Aspirin", "Chemical", "kept")]
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert latest(tui_project, first)[2] == [("Aspirin", "Disease", "changed")]
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert latest(tui_project, first)[2] == [("Aspirin", "Chemical", "kept")]

    drive(tui_project, body)


def test_delete_records_the_removed_suggestion(tui_project: Project) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        await pilot.press("delete")
        await settle(pilot)
        status, _, spans, meta = latest(tui_project, first)
        assert (status, spans) == ("draft", [])
        removed = json.loads(meta)["removed_spans"]
        assert removed == [{"start": 0, "end": 7, "label": "Chemical"}]

    drive(tui_project, body)


def test_accept_skip_and_the_queue(tui_project: Project) -> None:
    first, second, third = pool_ids(tui_project)

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        status, kind, spans, meta = latest(tui_project, first)
        assert (status, kind) == ("accepted", "accepted")
        assert spans == [("Aspirin", "Chemical", "kept")]
        assert json.loads(meta)["suggested_by"] == "lexicon"
        assert screen.draft is not None and screen.draft.doc_id == second
        await pilot.press("s")
        await settle(pilot)
        assert latest(tui_project, second)[:2] == ("skipped", "skipped")
        assert screen.draft is not None and screen.draft.doc_id == third
        await pilot.press("a")
        await settle(pilot)
        assert latest(tui_project, third)[0] == "accepted"
        assert screen.session.finished
        assert "Done" in shown(screen.query_one("#notice"))

    drive(tui_project, body)


def test_next_previous_keep_the_draft_and_quit_reopen_loses_nothing(
    tui_project: Project,
) -> None:
    first, second, _ = pool_ids(tui_project)

    async def first_session(pilot: Pilot[None]) -> None:
        await pilot.press("l", "2")  # "causes" as Disease on the first document
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("1")  # "Naloxone" as Chemical, then accept the second
        await pilot.press("p")
        screen = await settle(pilot)
        draft = screen.draft
        assert draft is not None and draft.doc_id == first
        assert [(e.first, e.label) for e in draft.entities] == [(0, "Chemical"), (1, "Disease")]
        await pilot.press("n", "enter")
        await settle(pilot)
        await pilot.press("q")

    drive(tui_project, first_session)
    assert latest(tui_project, first)[:3] == (
        "draft",
        "draft",
        [("Aspirin", "Chemical", "kept"), ("causes", "Disease", "added")],
    )
    assert latest(tui_project, second)[0] == "accepted"

    async def second_session(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        # the accepted document left the queue; the draft is first, as it was left
        assert screen.session.order[0] == first and second not in screen.session.order
        draft = screen.draft
        assert draft is not None
        assert [(e.first, e.label) for e in draft.entities] == [(0, "Chemical"), (1, "Disease")]

    drive(tui_project, second_session)


def test_cursor_keys_move_by_token_and_by_line(tui_project: Project) -> None:
    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        draft = screen.draft
        assert draft is not None and draft.cursor == 0
        await pilot.press("right", "l", "left")
        assert draft.cursor == 1
        await pilot.press("h", "h")
        assert draft.cursor == 0  # stops at the first token

    drive(tui_project, body)


def test_up_down_follow_wrapped_lines(tui_project: Project) -> None:
    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        draft = screen.draft
        assert draft is not None
        await pilot.press("j")
        assert draft.cursor > 0  # the first line wraps at this width
        await pilot.press("k")
        assert draft.cursor == 0
        await pilot.press("down", "up")
        assert draft.cursor == 0

    drive(tui_project, body, size=(40, 24))


def test_dashboard_help_and_labels_out_of_range(tui_project: Project) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        dash = screen.query_one("#dashboard", Dashboard)
        assert not dash.display
        await pilot.press("d")
        assert dash.display
        await pilot.press("d")
        assert not dash.display
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        await pilot.press("space")
        await pilot.pause()
        assert pilot.app.screen is screen
        await pilot.press("l", "7")  # this project has two labels
        await settle(pilot)
        assert latest(tui_project, first)[1] == "import"

    drive(tui_project, body)


def test_an_empty_project_says_what_to_do(project: Project) -> None:
    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        assert "No documents to annotate" in shown(screen.query_one("#notice"))
        await pilot.press("1", "enter", "s", "n", "u", "x")  # nothing to do, nothing breaks

    drive(project, body)


def test_long_document_scrolls_to_the_cursor_and_its_entity(tmp_path: Path) -> None:
    """80x24: the cursor's line and the cursor's entity stay in view in both panes."""
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    import_files(project, [write(tmp_path / "train.tsv", TRAIN)], fmt="conll", split="train")
    long = " ".join(["Aspirin causes severe headache in rats ."] * 40)
    import_files(project, [write(tmp_path / "pool.txt", long + "\n")], fmt="text", split="pool")

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        draft = screen.draft
        assert draft is not None and len(draft.entities) == 40
        view = screen.query_one("#doc", DocumentView)
        panel = screen.query_one("#entities", EntityPanel)
        assert view.scroll_offset.y == 0 and panel.scroll_offset.y == 0
        await pilot.press(*["j"] * 60)
        while draft.entity_at(draft.cursor) is None:
            await pilot.press("h")
        await pilot.pause()
        line = view.cursor_line()
        assert line is not None
        top, rows = view.scroll_offset.y, view.scrollable_content_region.height
        assert top > 0 and top <= line < top + rows
        here = draft.entity_at(draft.cursor)
        row = HEADER_ROWS + draft.entities.index(here)  # type: ignore[arg-type]
        top, rows = panel.scroll_offset.y, panel.scrollable_content_region.height
        assert top > 0 and top <= row < top + rows
        await pilot.press("l")  # off the entity: the list stays where it was
        await pilot.pause()
        assert draft.entity_at(draft.cursor) is None and panel.scroll_offset.y == top

    drive(project, body, size=(80, 24))
