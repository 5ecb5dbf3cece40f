"""`workbench train` killed halfway: the old model stays active, nothing half-written counts."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from typer.testing import CliRunner

from workbench.cli import app
from workbench.project import Project


def _q(project: Project, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(project.db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_sigkill_during_training(tiny_project: Project) -> None:
    args = ["--project", str(tiny_project.root), "train", "--batch-size", "4", "--device", "cpu"]
    first = CliRunner().invoke(app, [*args, "--epochs", "1"])
    assert first.exit_code == 0, first.output
    before = _q(tiny_project, "SELECT id, path FROM models WHERE is_active = 1")
    assert len(before) == 1

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
        raise AssertionError("training never reported progress")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert _q(tiny_project, "SELECT id, path FROM models WHERE is_active = 1") == before
    assert _q(tiny_project, "SELECT COUNT(*) FROM models") == [(1,)]
    # The next command notices the dead round and says so.
    res = CliRunner().invoke(app, ["--project", str(tiny_project.root), "status"])
    assert res.exit_code == 0
    assert "interrupted" in res.output
    assert _q(tiny_project, "SELECT status FROM rounds ORDER BY id") == [("done",), ("failed",)]
    # What the killed run left on disk is never registered, and the next run removes it.
    leftovers = [p for p in tiny_project.models_dir.glob(".*") if p.name != ".round.lock"]
    again = CliRunner().invoke(app, [*args, "--epochs", "1"])
    assert again.exit_code == 0, again.output
    assert not any(p.exists() for p in leftovers)
    assert len(_q(tiny_project, "SELECT id FROM models")) == 2
