"""A `retrain` killed in the middle: round failed, active model unchanged, next round works."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.conftest import SAMPLE, kill_when_training, query
from tests.model.conftest import tiny_bert, tiny_project  # noqa: F401
from workbench.cli import app
from workbench.ops.importing import import_files
from workbench.project import Project


def _q(project: Project, sql: str) -> list[tuple[object, ...]]:
    return query(project.db_path, sql)


def test_sigkill_during_retrain(tiny_project: Project) -> None:  # noqa: F811
    import_files(tiny_project, [SAMPLE / "abstracts.txt"])
    args = ["--project", str(tiny_project.root), "retrain", "--batch-size", "4", "--device", "cpu"]
    first = CliRunner().invoke(app, [*args, "--epochs", "1"])
    assert first.exit_code == 0, first.output
    active = _q(tiny_project, "SELECT id FROM models WHERE is_active = 1")
    scores_before = _q(tiny_project, "SELECT COUNT(*) FROM queue_scores")

    kill_when_training(tiny_project.db_path, [*args, "--epochs", "500"])
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
