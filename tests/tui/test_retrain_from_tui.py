"""`R` runs a round as a subprocess: the screen keeps answering keys, and the dashboard
follows the round to its end (a slow fake trainer stands in for `workbench retrain`)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from tests.conftest import write
from tests.tui.conftest import drive, latest, pool_ids, settle, shown, wait_until
from workbench.project import Project
from workbench.tui.widgets.dashboard import Dashboard

FAKE_TRAINER = """
import sys, time
from workbench.store.db import open_db
from workbench.store.rounds import finish_round, set_phase, set_progress, start_round

conn = open_db(sys.argv[1])
rid = start_round(conn, "retrain", "mnlp", {"documents": 3, "sentences": 3, "tokens": 20})
for step in range(1, 11):
    time.sleep(0.25)
    set_progress(conn, rid, step, 10)
set_phase(conn, rid, "scoring")
if sys.argv[2] == "fail":
    raise SystemExit("training failed: out of memory")
metrics = {"precision": 0.5, "recall": 0.5, "f1": 0.4321, "accuracy": 0.9,
           "dev": {"per_label": {}, "f1": 0.4321}}
finish_round(conn, rid, metrics=metrics, timings={}, model_path="models/none",
             base_model="fake", activate=False)
"""


def _fake(tmp_path: Path, project: Project, how: str) -> list[str]:
    script = write(tmp_path / "fake_trainer.py", FAKE_TRAINER)
    return [sys.executable, str(script), str(project.db_path), how]


async def _wait(pilot: Pilot[None], check: Callable[[], object], timeout: float = 60) -> None:
    await wait_until(check, timeout)  # a round in a child process: more room


def test_retrain_runs_while_the_screen_answers_keys(tui_project: Project, tmp_path: Path) -> None:
    first = pool_ids(tui_project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("R")
        await _wait(pilot, lambda: screen.dashboard_data and screen.dashboard_data.running)
        # while the round trains: keys answer at once and edits are saved
        t0 = time.perf_counter()
        await pilot.press("l", "2")
        await settle(pilot)
        assert time.perf_counter() - t0 < 2
        assert ("causes", "Disease", "added") in latest(tui_project, first)[2]
        dash = screen.query_one("#dashboard", Dashboard)
        assert dash.display  # R opens the dashboard to follow the round
        await _wait(
            pilot, lambda: "Round 1: training" in shown(dash.query_one("#round-progress-label"))
        )
        await _wait(
            pilot,
            lambda: (
                screen.dashboard_data
                and screen.dashboard_data.rounds
                and screen.dashboard_data.rounds[-1].status == "done"
            ),
        )
        await pilot.pause()
        assert "0.432" in shown(dash.query_one("#rounds"))

    drive(tui_project, body, retrain_command=_fake(tmp_path, tui_project, "ok"))


def test_a_failed_round_shows_its_error(tui_project: Project, tmp_path: Path) -> None:
    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("R")
        # the error screen is pushed, then composed: wait for the message itself
        await _wait(
            pilot,
            lambda: pilot.app.screen is not screen and pilot.app.screen.query("#error-message"),
            timeout=60,
        )
        assert "out of memory" in shown(pilot.app.screen.query_one("#error-message"))
        await pilot.press("space")
        dash = screen.query_one("#dashboard", Dashboard)
        await _wait(pilot, lambda: "failed" in shown(dash.query_one("#round-progress-label")))

    drive(tui_project, body, retrain_command=_fake(tmp_path, tui_project, "fail"))


def test_a_failing_dashboard_read_is_shown_once_not_raised(
    tui_project: Project, monkeypatch: object
) -> None:
    """The poller's worker reports its error as a modal; the screen goes on answering."""
    calls = {"n": 0}

    def broken(*args: object) -> None:
        calls["n"] += 1
        raise RuntimeError("disk I/O error")

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        monkeypatch.setattr(screen.dashboard_reader, "read", broken)  # type: ignore[attr-defined]
        screen.load_dashboard()
        await _wait(
            pilot,
            lambda: pilot.app.screen is not screen and pilot.app.screen.query("#error-message"),
        )
        assert "disk I/O error" in shown(pilot.app.screen.query_one("#error-message"))
        await _wait(pilot, lambda: calls["n"] >= 3)  # polled again, and again
        assert len(pilot.app.screen_stack) == 3  # the app's, the annotate and one error screen
        await pilot.press("space")
        await _wait(pilot, lambda: pilot.app.screen is screen)
        await pilot.press("l", "2")
        await settle(pilot)
        assert ("causes", "Disease", "added") in latest(tui_project, pool_ids(tui_project)[0])[2]

    drive(tui_project, body)
