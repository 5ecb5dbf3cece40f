"""The active model changes only when the user asks (issue 13, part 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.conftest import query
from workbench.cli import app
from workbench.project import Project

FAST = ["--epochs", "1", "--batch-size", "8", "--learning-rate", "5e-3", "--device", "cpu"]


def _cli(project: Project, *args: str) -> Any:
    return CliRunner().invoke(app, ["--project", str(project.root), *args])


def _rows(project: Project, sql: str) -> list[tuple[Any, ...]]:
    return query(project.db_path, sql)


def test_a_typo_in_the_base_model_trains_nothing(tiny_project: Project, tmp_path: Path) -> None:
    res = _cli(tiny_project, "train", *FAST, "--base-model", str(tmp_path / "nonexistent"))
    assert res.exit_code == 4, res.output
    assert "cannot be loaded here" in res.output and "nothing was trained" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert _rows(tiny_project, "SELECT COUNT(*) FROM rounds") == [(0,)]
    assert _rows(tiny_project, "SELECT COUNT(*) FROM models") == [(0,)]


def test_bad_options_are_refused_before_a_round_exists(tiny_project: Project) -> None:
    res = _cli(tiny_project, "train", "--device", "tpu")
    assert res.exit_code == 2 and "'tpu' is not one of" in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = _cli(tiny_project, "train", "--learning-rate", "-1", "--device", "cpu")
    assert res.exit_code == 4 and "--learning-rate -1" in res.output
    res = _cli(tiny_project, "retrain", "--learning-rate", "0", "--device", "cpu")
    assert res.exit_code in (1, 4) and "Traceback" not in res.output
    assert _rows(tiny_project, "SELECT COUNT(*) FROM rounds") == [(0,)]


def test_models_lists_and_activate_chooses(tiny_project: Project) -> None:
    assert _cli(tiny_project, "train", *FAST).exit_code == 0
    assert _cli(tiny_project, "train", *FAST, "--seed", "7").exit_code == 0
    assert _rows(tiny_project, "SELECT id FROM models WHERE is_active = 1") == [(2,)]
    res = _cli(tiny_project, "models")
    assert res.exit_code == 0
    assert "active" in res.stdout and "dev F1" in res.stdout
    res = _cli(tiny_project, "activate", "1")
    assert res.exit_code == 0 and "Model #1" in res.stdout
    assert _rows(tiny_project, "SELECT id FROM models WHERE is_active = 1") == [(1,)]
    res = _cli(tiny_project, "activate", "9")
    assert res.exit_code == 4 and "no model 9" in res.output
    assert _rows(tiny_project, "SELECT id FROM models WHERE is_active = 1") == [(1,)]
    res = _cli(tiny_project, "status", "-P", str(tiny_project.root))  # -P after the command
    assert res.exit_code == 0 and "Active model: #1" in res.stdout
