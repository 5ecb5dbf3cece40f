from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.conftest import BC5CDR, write
from workbench.cli import app
from workbench.project import Project

Cli = Callable[..., Any]


def test_help_lists_the_commands(runner: CliRunner) -> None:
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for cmd in ("init", "import", "export", "status"):
        assert cmd in res.output


def test_init_writes_config_db_and_models(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(app, ["init", str(tmp_path / "p"), "--labels", "Gene,Species"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "p" / "workbench.db").is_file()
    assert (tmp_path / "p" / "models").is_dir()
    toml = (tmp_path / "p" / "workbench.toml").read_text()
    assert 'name = "Gene"' in toml and 'key = "2"' in toml


def test_init_refuses_an_existing_project_and_bad_labels(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "p")])
    res = runner.invoke(app, ["init", str(tmp_path / "p")])
    assert res.exit_code == 1 and "already a workbench project" in res.output
    res = runner.invoke(app, ["init", str(tmp_path / "q"), "--labels", "Bad label"])
    assert res.exit_code == 1 and "must start with a letter" in res.output
    assert not (tmp_path / "q" / "workbench.toml").exists()


def test_commands_outside_a_project_say_what_to_run(
    runner: CliRunner, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_PROJECT", raising=False)
    res = runner.invoke(app, ["status"])
    assert res.exit_code == 1
    assert "is not a workbench project" in res.output and "workbench init" in res.output
    assert "Traceback" not in res.output


def test_project_from_environment(runner: CliRunner, project: Project, monkeypatch: Any) -> None:
    monkeypatch.setenv("WORKBENCH_PROJECT", str(project.root))
    res = runner.invoke(app, ["status"])
    assert res.exit_code == 0 and "Active model: none yet" in res.output


def test_status_shows_counts_labels_and_no_model(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Aspirin helps.\nLithium hurts.\n")
    assert cli("import", str(tmp_path / "a.txt")).exit_code == 0
    assert cli("import", str(BC5CDR / "devel.tsv"), "--split", "dev").exit_code == 0
    res = cli("status")
    assert res.exit_code == 0, res.output
    out = res.output
    assert "pool" in out and "4581" in out and "Chemical" in out and "Disease" in out
    assert "Active model: none yet" in out


def test_import_text_then_export_jsonl_to_stdout(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Aspirin helps.\n\nLithium hurts.\n")
    res = cli("import", str(tmp_path / "a.txt"))
    assert res.exit_code == 0 and "Imported 2 documents" in res.output
    res = cli("export", "-", "--format", "jsonl")
    assert res.exit_code == 0
    records = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert [r["text"] for r in records] == ["Aspirin helps.", "Lithium hurts."]


def test_export_filters_by_split_and_status(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Aspirin helps.\n")
    write(tmp_path / "b.tsv", "Lithium\tB-Chemical\n\n")
    cli("import", str(tmp_path / "a.txt"))
    cli("import", str(tmp_path / "b.tsv"), "--split", "train")
    assert cli("export", str(tmp_path / "o.jsonl"), "--split", "train").exit_code == 0
    (rec,) = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert rec["entities"][0]["text"] == "Lithium"
    res = cli("export", str(tmp_path / "none.jsonl"), "--status", "skipped")
    assert res.exit_code == 1 and "no documents to export" in res.output
    assert not (tmp_path / "none.jsonl").exists()


def test_hf_export_and_import_round_trip(cli: Cli, runner: CliRunner, tmp_path: Path) -> None:
    from datasets import load_from_disk

    write(tmp_path / "t.tsv", "Aspirin\tB-Chemical\ncauses\tO\nulcers\tB-Disease\n\n")
    write(tmp_path / "d.tsv", "Lithium\tB-Chemical\ntoxicity\tB-Disease\n\n")
    cli("import", str(tmp_path / "t.tsv"), "--split", "train")
    cli("import", str(tmp_path / "d.tsv"), "--split", "dev")
    res = cli("export", str(tmp_path / "hf"), "--format", "hf")
    assert res.exit_code == 0, res.output
    ds = load_from_disk(str(tmp_path / "hf"))
    assert set(ds) == {"train", "validation"}
    names = ds["train"].features["ner_tags"].feature.names
    assert names == ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]
    assert ds["train"][0]["tokens"] == ["Aspirin", "causes", "ulcers"]
    assert [names[i] for i in ds["train"][0]["ner_tags"]] == ["B-Chemical", "O", "B-Disease"]

    runner.invoke(app, ["init", str(tmp_path / "q")])
    res = runner.invoke(app, ["--project", str(tmp_path / "q"), "import", str(tmp_path / "hf")])
    assert res.exit_code == 0, res.output
    assert "as hf into train" in res.output and "as hf into dev" in res.output
    res = runner.invoke(
        app,
        [
            "--project",
            str(tmp_path / "q"),
            "export",
            "-",
            "-f",
            "conll",
            "--split",
            "train",
            "--split",
            "dev",
        ],
    )
    assert "Aspirin\tB-Chemical\ncauses\tO\nulcers\tB-Disease\n\n" in res.stdout
    assert "Lithium\tB-Chemical\ntoxicity\tB-Disease\n\n" in res.stdout


def test_hf_export_refuses_a_non_empty_directory(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Aspirin.\n")
    cli("import", str(tmp_path / "a.txt"))
    write(tmp_path / "full" / "x", "keep me")
    res = cli("export", str(tmp_path / "full"), "--format", "hf")
    assert res.exit_code == 1 and "not empty" in res.output
    assert (tmp_path / "full" / "x").read_text() == "keep me"


def test_doc_per_file(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "abs.txt", "Title line.\nBody line one.\n")
    res = cli("import", str(tmp_path / "abs.txt"), "--doc-per-file")
    assert "Imported 1 documents" in res.output
