"""Snapshots of the annotate screen, the dashboard and the search results at 120x40 and 80x24.

Update them after a deliberate change of the screen: pytest tests/tui --snapshot-update
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import settle, wait_until
from workbench.project import Project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.search_results import SearchResultsScreen

SIZES = [(120, 40), (80, 24)]


def _with_rounds(project: Project) -> Project:
    """Two finished rounds with fixed times, so the dashboard has something to draw: a quick
    first round, and one that went on from its model."""
    conn = sqlite3.connect(project.db_path)
    with conn:
        for rid, sents, f1 in ((1, 100, 0.61), (2, 200, 0.69)):
            per = {
                "Chemical": {"precision": f1 + 0.05, "recall": f1, "f1": f1 + 0.03, "support": 50},
                "Disease": {"precision": f1 - 0.05, "recall": f1, "f1": f1 - 0.04, "support": 40},
            }
            dev = {
                "precision": f1,
                "recall": f1,
                "f1": f1,
                "accuracy": 0.93,
                "per_label": per,
                "errors": {
                    "type_confusions": {"Chemical -> Disease": 3},
                    "boundary": 7,
                    "spurious": 12,
                    "missed": 9,
                    "examples": {"missed": ["... the [nephrotoxicity|Disease] of ..."]},
                },
            }
            metrics = {"precision": f1, "recall": f1, "f1": f1, "accuracy": 0.93, "dev": dev}
            metrics |= {"note": "quick first round"} if rid == 1 else {"went_on_from": "model-0001"}
            conn.execute(
                "INSERT INTO rounds (id, kind, strategy, status, phase, train_sentences, metrics,"
                " promoted, started_at, finished_at) VALUES (?, 'retrain', 'mnlp', 'done', 'done',"
                " ?, ?, 1, ?, ?)",
                (
                    rid,
                    sents,
                    json.dumps(metrics),
                    f"2026-11-2{rid}T10:00:00Z",
                    "2026-11-22T10:05:00Z",
                ),
            )
    conn.close()
    return project


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_annotate_screen(snap_compare: object, tui_project: Project, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("l", "l", "L", "2", "right")
        await settle(pilot)

    assert snap_compare(WorkbenchApp(tui_project), terminal_size=size, run_before=before)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard(snap_compare: object, tui_project: Project, size: tuple[int, int]) -> None:
    project = _with_rounds(tui_project)

    async def before(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        while screen.dashboard_data is None or not screen.dashboard_data.rounds:
            await pilot.pause(0.05)
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(WorkbenchApp(project), terminal_size=size, run_before=before)  # type: ignore[operator]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_search_results(snap_compare: object, tui_project: Project, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+f", "i", "n", "enter")
        await wait_until(lambda: isinstance(pilot.app.screen, SearchResultsScreen))
        await pilot.pause()

    assert snap_compare(WorkbenchApp(tui_project), terminal_size=size, run_before=before)  # type: ignore[operator]


def _awaiting_adjudication(project: Project) -> Project:
    """The first pool sentence accepted by two annotators who disagree on two entities."""
    from workbench.core import Span
    from workbench.store.annotators import apply_double_share
    from workbench.store.documents import append_revision

    conn = project.connect()
    apply_double_share(conn, 1.0)
    doc = conn.execute("SELECT MIN(id) FROM documents WHERE split = 'pool'").fetchone()[0]
    ann = [Span(0, 7, "Chemical"), Span(15, 30, "Disease")]
    bob = [Span(0, 7, "Chemical"), Span(22, 30, "Disease"), Span(34, 38, "Chemical")]
    for who, spans in (("ann", ann), ("bob", bob)):
        append_revision(
            conn, doc, spans, kind="accepted", status="accepted", base_revision=1, author=who,
            line=True,
        )  # fmt: skip
    conn.close()
    return project


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_adjudication(snap_compare: object, tui_project: Project, size: tuple[int, int]) -> None:
    project = _awaiting_adjudication(tui_project)

    async def before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("1")  # the first difference: ann's; the second stays open
        await pilot.pause()

    app = WorkbenchApp(project, annotator="judge", adjudicate=True)
    assert snap_compare(app, terminal_size=size, run_before=before)  # type: ignore[operator]
