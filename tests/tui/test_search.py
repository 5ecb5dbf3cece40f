"""`/` finds text (the match selected, a label key labels it), `*` labels every other
occurrence of an entity; both saved like any edit and undone like one."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.conftest import write
from tests.tui.conftest import drive, latest, pool_ids, settle
from workbench.ops.importing import import_files
from workbench.project import Project, init_project

TEXT = (
    "Lithium and lithium salts: LITHIUM toxicity. Renal failure after lithium; renal failure again."
)


def _project(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    import_files(
        project, [write(tmp_path / "pool.txt", TEXT + "\nNo lithium here? Renal failure.\n")]
    )
    return project


def test_find_then_label_then_label_every_occurrence(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = pool_ids(project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("slash", *"renal failure", "enter")
        await pilot.pause()
        draft = screen.draft
        assert draft is not None and draft.selection() == (8, 9)  # "Renal failure"
        await pilot.press("2")
        await settle(pilot)
        assert latest(project, first)[2] == [("Renal failure", "Disease", "added")]
        await pilot.press("asterisk")  # the cursor is on it: the other one too
        await settle(pilot)
        spans = latest(project, first)[2]
        assert spans == [
            ("Renal failure", "Disease", "added"),
            ("renal failure", "Disease", "added"),
        ]
        await pilot.press("slash", "ctrl+u", *"lithium", "enter", "1", "asterisk")
        await settle(pilot)
        texts = [s[0] for s in latest(project, first)[2] if s[1] == "Chemical"]
        # case ignored as the lexicon ignores it: capitals inside a word (NO, LITHIUM) count
        assert texts == ["Lithium", "lithium", "lithium"]
        await pilot.press("u")  # one undo takes back the whole `*`
        await settle(pilot)
        texts = [s[0] for s in latest(project, first)[2] if s[1] == "Chemical"]
        assert len(texts) == 1

    drive(project, body)


def test_text_not_in_the_document_names_the_documents_that_hold_it(tmp_path: Path) -> None:
    project = _project(tmp_path)

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("slash", *"here?", "enter")
        await pilot.pause()
        shown = [n.message for n in screen.app._notifications]
        assert any("not in this document; in #2" in m for m in shown), shown

    drive(project, body)
