"""`workbench soup`: several models' weights averaged into one registered model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from safetensors.torch import load_file
from typer.testing import CliRunner

from tests.conftest import query
from workbench.cli import app
from workbench.project import Project

FAST = ["--epochs", "1", "--batch-size", "8", "--learning-rate", "5e-3", "--device", "cpu"]


def _cli(project: Project, *args: str) -> Any:
    return CliRunner().invoke(app, ["--project", str(project.root), *args])


def _model_dir(project: Project, model_id: int) -> Path:
    [(path,)] = query(project.db_path, f"SELECT path FROM models WHERE id = {model_id}")
    return project.root / str(path)


def _said(res: Any) -> str:
    return " ".join(res.output.split())  # as read, not as wrapped


def _active(project: Project) -> list[tuple[Any, ...]]:
    return query(project.db_path, "SELECT id FROM models WHERE is_active = 1")


def test_a_soup_is_the_average_of_its_members_and_is_scored_on_dev(
    tiny_project: Project,
) -> None:
    assert _cli(tiny_project, "train", *FAST).exit_code == 0
    assert _cli(tiny_project, "train", *FAST, "--seed", "7").exit_code == 0

    res = _cli(tiny_project, "soup", "1", "2", "--device", "cpu")
    assert res.exit_code == 0, res.output
    assert "Model #3, 2 models averaged" in _said(res) and "dev: exact entities" in _said(res)
    a, b, soup = (load_file(_model_dir(tiny_project, i) / "model.safetensors") for i in (1, 2, 3))
    for name in ("classifier.weight", "bert.embeddings.word_embeddings.weight"):
        assert (soup[name] - (a[name] + b[name]) / 2).abs().max() < 1e-6
    config = json.loads((_model_dir(tiny_project, 3) / "config.json").read_text())
    assert config["workbench_context"] == 0 and len(config["workbench_soup"]) == 2

    # recorded like a round's model: its dev F1 is what `evaluate` says of it
    [(kind, metrics)] = query(
        tiny_project.db_path,
        "SELECT r.kind, m.metrics FROM models m JOIN rounds r ON r.id = m.round_id WHERE m.id = 3",
    )
    recorded = json.loads(str(metrics))
    ev = _cli(
        tiny_project,
        "evaluate",
        "--split",
        "dev",
        "--json",
        "--model",
        str(_model_dir(tiny_project, 3)),
    )
    assert ev.exit_code == 0, ev.output
    scored = json.loads(ev.stdout)
    assert kind == "soup" and (recorded["f1"], recorded["accuracy"]) == (
        scored["f1"],
        scored["accuracy"],
    )
    # made active as a round's model is: only when dev does not say it is worse
    [(was,)] = query(tiny_project.db_path, "SELECT metrics FROM models WHERE id = 2")
    assert _active(tiny_project) == (
        [(3,)] if recorded["f1"] >= json.loads(str(was))["f1"] else [(2,)]
    )

    listed = _cli(tiny_project, "models")
    assert listed.exit_code == 0 and "Model #3 is the average of #1, #2." in _said(listed)

    # a soup `tag` reads as any model
    (tiny_project.root / "in.txt").write_text("Cisplatin caused nephrotoxicity.\n")
    model = str(_model_dir(tiny_project, 3))
    res = _cli(
        tiny_project, "tag", str(tiny_project.root / "in.txt"), "--model", model, "-f", "jsonl"
    )
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert rows[0]["text"].startswith("Cisplatin")


def test_a_soup_that_cannot_be_made_is_one_line_and_records_nothing(
    tiny_project: Project,
) -> None:
    assert _cli(tiny_project, "train", *FAST).exit_code == 0
    assert _cli(tiny_project, "train", *FAST, "--context", "8", "--seed", "7").exit_code == 0
    other_tags = tiny_project.root / "other-tags"
    shutil.copytree(_model_dir(tiny_project, 1), other_tags)
    config = json.loads((other_tags / "config.json").read_text())
    config["id2label"] = {"0": "O", "1": "B-Gene", "2": "I-Gene"}
    (other_tags / "config.json").write_text(json.dumps(config))

    for args, said in (
        (["1"], "at least two models"),
        (["1", "1"], "named twice"),
        (["1", "9"], "no model 9 in this project (models: 1, 2)"),
        (["1", str(tiny_project.root)], "neither a model number of this project nor a model"),
        (["1", "2"], "read 0 and 8 sub-tokens of context a side: say which the soup reads"),
        (["1", str(other_tags)], "differ in id2label"),
        (["1", "2", "--context", "999"], "--context 999: give 0 to 128 sub-tokens"),
    ):
        res = _cli(tiny_project, "soup", *args, "--device", "cpu")
        assert res.exit_code == 4, (args, res.output)
        assert said in _said(res) and len(res.output.strip().splitlines()) == 1, res.output
    assert query(tiny_project.db_path, "SELECT COUNT(*) FROM rounds") == [(2,)]
    assert query(tiny_project.db_path, "SELECT COUNT(*) FROM models") == [(2,)]

    # members that read different context make a soup once it is chosen
    res = _cli(tiny_project, "soup", "1", "2", "--context", "8", "--device", "cpu")
    assert res.exit_code == 0, res.output
    config = json.loads((_model_dir(tiny_project, 3) / "config.json").read_text())
    assert config["workbench_context"] == 8


def test_a_soup_with_a_refit_member_has_no_dev_score(tiny_project: Project) -> None:
    assert _cli(tiny_project, "train", *FAST).exit_code == 0
    assert _cli(tiny_project, "train", *FAST, "--with-dev").exit_code == 0
    # the refit's own directory says dev trained it, wherever it is read from
    elsewhere = tiny_project.root.parent / "elsewhere"
    shutil.copytree(_model_dir(tiny_project, 2), elsewhere)
    assert json.loads((elsewhere / "config.json").read_text())["workbench_refit"] is True

    res = _cli(tiny_project, "soup", "1", str(elsewhere), "--device", "cpu")
    assert res.exit_code == 0, res.output
    assert "no dev score" in _said(res) and "kept, not active" in _said(res)
    [(metrics,)] = query(tiny_project.db_path, "SELECT metrics FROM models WHERE id = 3")
    assert json.loads(str(metrics))["refit"] is True and json.loads(str(metrics))["f1"] is None
    assert _active(tiny_project) == [(2,)]
    ev = _cli(
        tiny_project, "evaluate", "--split", "dev", "--model", str(_model_dir(tiny_project, 3))
    )
    assert ev.exit_code == 0 and "trained on dev" in _said(ev)
