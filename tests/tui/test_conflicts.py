"""No lost update: two sessions on one document (the other one a separate process), and a
finished queue that accepts nothing (issue 13, part 3)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from textual.pilot import Pilot

from tests.tui.conftest import drive, latest, pool_ids, settle, shown, wait_until
from workbench.project import Project
from workbench.tui.screens.conflict import ConflictScreen

OTHER_SESSION = """
import sys
from workbench.core import Span
from workbench.project import find_project
from workbench.store.documents import append_revision, load_revision
from pathlib import Path

project = find_project(Path(sys.argv[1]))
conn = project.connect()
doc_id = int(sys.argv[2])
rev = load_revision(conn, doc_id)
# the other annotator marks "severe headache" a Disease and accepts
append_revision(conn, doc_id, [Span(15, 30, "Disease")], kind="accepted", status="accepted",
                base_revision=rev.revision, author="other")
"""


def _other_session_saves(project: Project, doc_id: int) -> None:
    subprocess.run(
        [sys.executable, "-c", OTHER_SESSION, str(project.root), str(doc_id)], check=True
    )


def _revisions(project: Project, doc_id: int) -> list[tuple[int, str, str | None, int | None]]:
    conn = sqlite3.connect(project.db_path)
    try:
        return conn.execute(
            "SELECT revision, kind, author, base_revision FROM annotations"
            " WHERE document_id = ? ORDER BY revision",
            (doc_id,),
        ).fetchall()
    finally:
        conn.close()


def _conflict_then(tui_project: Project, key: str) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        _other_session_saves(tui_project, first)
        await pilot.press("x")  # this session deletes the suggested "Aspirin"
        await wait_until(lambda: isinstance(pilot.app.screen, ConflictScreen))
        await wait_until(lambda: pilot.app.screen.query("#conflict-message"))
        assert "another session saved it" in shown(pilot.app.screen.query_one("#conflict-message"))
        await pilot.press(key)
        await wait_until(lambda: pilot.app.screen is screen)
        await settle(pilot)

    drive(tui_project, body, annotator="me")


def test_a_stale_save_is_refused_and_reload_shows_the_saved_version(
    tui_project: Project,
) -> None:
    first = pool_ids(tui_project)[0]
    _conflict_then(tui_project, "r")
    # the other session's revision stands, nothing of this one was written over it
    assert _revisions(tui_project, first) == [
        (1, "import", None, None),
        (2, "accepted", "other", 1),
    ]
    assert latest(tui_project, first)[2] == [("severe headache", "Disease", None)]


def test_keep_both_saves_the_saved_entities_and_ours(tui_project: Project) -> None:
    first = pool_ids(tui_project)[0]
    _conflict_then(tui_project, "k")
    revs = _revisions(tui_project, first)
    assert revs[-1][2:] == ("me", 2) and len(revs) == 3
    texts = [t for t, _, _ in latest(tui_project, first)[2]]
    assert "severe headache" in texts


def test_a_finished_queue_accepts_nothing(tui_project: Project) -> None:
    ids = pool_ids(tui_project)

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        for _ in ids:
            await pilot.press("enter")
            await settle(pilot)
        assert screen.session.finished
        before = [len(_revisions(tui_project, i)) for i in ids]
        await pilot.press("enter", "enter", "s", "enter")
        await settle(pilot)
        assert [len(_revisions(tui_project, i)) for i in ids] == before

    drive(tui_project, body)


def test_every_revision_records_its_annotator(tui_project: Project) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    drive(tui_project, body, annotator="ada")
    assert _revisions(tui_project, first)[-1][2] == "ada"
