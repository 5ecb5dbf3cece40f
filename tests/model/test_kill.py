"""`workbench train` killed halfway: the old model stays active, nothing half-written counts."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.conftest import kill_when_training, query
from workbench.cli import app
from workbench.project import Project


def _q(project: Project, sql: str) -> list[tuple[object, ...]]:
    return query(project.db_path, sql)


def test_sigkill_during_training(tiny_project: Project) -> None:
    args = ["--project", str(tiny_project.root), "train", "--batch-size", "4", "--device", "cpu"]
    first = CliRunner().invoke(app, [*args, "--epochs", "1"])
    assert first.exit_code == 0, first.output
    before = _q(tiny_project, "SELECT id, path FROM models WHERE is_active = 1")
    assert len(before) == 1

    kill_when_training(tiny_project.db_path, [*args, "--epochs", "500"])

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
