"""A `retrain` killed in the middle: round failed, active model unchanged, next round works."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from typer.testing import CliRunner

from tests.conftest import SAMPLE
from tests.model.conftest import tiny_bert, tiny_project  # noqa: F401
from workbench.cli import app
from workbench.importer import import_files
from workbench.project import Project


def _q(project: Project, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(project.db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_sigkill_during_retrain(tiny_project: Project) -> None:  # noqa: F811
    import_files(tiny_project, [SAMPLE / "abstracts.txt"])
    args = ["--project", str(tiny_project.root), "retrain", "--batch-size", "4", "--device", "cpu"]
    first = CliRunner().invoke(app, [*args, "--epochs", "1"])
    assert first.exit_code == 0, first.output
    active = _q(tiny_project, "SELECT id FROM models WHERE is_active = 1")
    scores_before = _q(tiny_project, "SELECT COUNT(*) FROM queue_scores")

    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", *args, "--epochs", "500"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        rows = _q(tiny_project, "SELECT progress_step FROM rounds WHERE status = 'running'")
        if rows and int(rows[0][0]) > 0:  # type: ignore[call-overload]
            break
        time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("the round never reported progress")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _q(tiny_project, "SELECT id FROM models WHERE is_active = 1") == active
    assert _q(tiny_project, "SELECT COUNT(*) FROM queue_scores") == scores_before

    # The next retrain marks the dead round failed, and works.
    again = CliRunner().invoke(app, [*args, "--epochs", "1", "--promote", "always"])
    assert again.exit_code == 0, again.output
    rounds = _q(tiny_project, "SELECT status, error FROM rounds ORDER BY id")
    assert [r[0] for r in rounds] == ["done", "failed", "done"]
    assert "interrupted" in str(rounds[1][1])
    # Between the kill and the next round, nothing had changed: the killed round has no model
    # and no queue scores.
    assert _q(tiny_project, "SELECT COUNT(*) FROM models WHERE round_id = 2") == [(0,)]
    assert _q(tiny_project, "SELECT COUNT(*) FROM queue_scores WHERE round_id = 2") == [(0,)]
    assert active != _q(tiny_project, "SELECT id FROM models WHERE is_active = 1")
    assert scores_before[0][0] == 20  # type: ignore[index]
