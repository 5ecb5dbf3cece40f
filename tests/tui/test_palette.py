"""The command palette (ctrl+p) runs the annotate screen's actions by name."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.tui.conftest import drive, latest, pool_ids, settle, wait_until
from workbench.project import Project


def test_accept_from_the_palette(tui_project: Project) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"accept")
        palette = pilot.app.screen

        def listed() -> bool:
            try:
                first = palette.query("CommandList").first().get_option_at_index(0)
            except Exception:  # not mounted or not filled yet
                return False
            return "Accept" in str(first.prompt)

        await wait_until(listed)  # the palette searches on a worker
        await pilot.press("enter")
        await settle(pilot)
        assert latest(tui_project, first)[:2] == ("accepted", "accepted")

    drive(tui_project, body)
