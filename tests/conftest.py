from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from workbench.cli import app
from workbench.project import Project, init_project
from workbench.store.counts import table_counts

# No property test may fail for being slow: the suite runs on busy machines too.
settings.register_profile("busy", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("busy")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
BC5CDR = SAMPLE / "bc5cdr"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return init_project(tmp_path / "proj", "Chemical,Disease")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner, project: Project) -> Callable[..., object]:
    """Run `workbench --project <project> ARGS...` in-process."""

    def run(*args: str, input: str | None = None) -> object:
        return runner.invoke(app, ["--project", str(project.root), *args], input=input)

    return run


@pytest.fixture
def counts(project: Project) -> Callable[[], dict[str, int]]:
    def get() -> dict[str, int]:
        conn = sqlite3.connect(project.db_path)
        try:
            return table_counts(conn)
        finally:
            conn.close()

    return get


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows from a project database, through a separate connection (as another tool would)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def kill_when_training(db: Path, argv: list[str], timeout: float = 120) -> None:
    """Start `python -m workbench ARGV`, SIGKILL it once its round reports progress."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    deadline = time.time() + timeout
    while time.time() < deadline:
        rows = query(db, "SELECT progress_step FROM rounds WHERE status = 'running'")
        if rows and int(rows[0][0]) > 0:  # type: ignore[call-overload]
            break
        time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("the round never reported progress")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
