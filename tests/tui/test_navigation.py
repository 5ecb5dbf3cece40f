"""`tab` / `shift+tab` between entities, `g` and `annotate --doc` to any document."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.tui.conftest import drive, latest, pool_ids, settle, wait_until
from workbench.project import Project
from workbench.tui.screens.goto import GoToScreen


def test_tab_and_shift_tab_move_between_entities(tui_project: Project) -> None:
    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        # "Aspirin causes severe headache ...": Aspirin is suggested; mark "headache"
        await pilot.press("right", "right", "right", "2")
        await settle(pilot)
        draft = screen.draft
        assert draft is not None
        assert sorted(e.first for e in draft.entities) == [0, 3]
        await pilot.press("left", "left")  # on "causes"
        await pilot.press("tab")
        assert draft.cursor == 3
        await pilot.press("tab")  # no entity after the last: it stays
        assert draft.cursor == 3
        await pilot.press("shift+tab")
        assert draft.cursor == 0

    drive(tui_project, body)


def test_g_opens_an_accepted_document_by_number(tui_project: Project) -> None:
    first, second = pool_ids(tui_project)[:2]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("enter")  # accept the first: the queue moves on
        await settle(pilot)
        assert screen.draft is not None and screen.draft.doc_id == second
        await pilot.press("g")
        await wait_until(lambda: isinstance(pilot.app.screen, GoToScreen))
        await pilot.press(*f"#{first}", "enter")
        await wait_until(lambda: screen.draft is not None and screen.draft.doc_id == first)
        await pilot.press("right", "2")  # a correction of an accepted document
        await settle(pilot)
        status, kind, spans, _ = latest(tui_project, first)
        assert (status, kind) == ("accepted", "accepted")
        assert ("causes", "Disease", "added") in spans
        await pilot.press("g")
        await wait_until(lambda: isinstance(pilot.app.screen, GoToScreen))
        await pilot.press(*"nope", "enter")
        await wait_until(lambda: pilot.app.screen is screen)
        assert screen.draft is not None and screen.draft.doc_id == first

    drive(tui_project, body)


def test_annotate_doc_opens_that_document_first(tui_project: Project) -> None:
    third = pool_ids(tui_project)[2]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        assert screen.draft is not None and screen.draft.doc_id == third

    drive(tui_project, body, document=f"#{third}")
