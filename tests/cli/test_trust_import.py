"""Nothing becomes gold, duplicated or misplaced unless the user asked (issue 13, part 1).
Each test here failed on the code before it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import query, write
from workbench.project import Project

Cli = Callable[..., Any]


def _rows(project: Project, sql: str) -> list[tuple[Any, ...]]:
    return query(project.db_path, sql)


def test_text_into_test_is_not_gold(cli: Cli, project: Project, tmp_path: Path) -> None:
    res = cli("import", str(write(tmp_path / "a.txt", "Aspirin helps.\n")), "--split", "test")
    assert res.exit_code == 0, res.output
    assert "(to annotate)" in res.output
    assert _rows(project, "SELECT split, status FROM documents") == [("test", "new")]
    assert _rows(project, "SELECT kind FROM annotations") == [("import",)]
    res = cli("import", str(tmp_path / "a.txt"), "--gold", "--replace")
    assert res.exit_code == 1 and "text carries no entities" in res.output
    res = cli("evaluate", "--split", "test", "--model", str(tmp_path))
    assert res.exit_code == 1 and "no test documents to score" in res.output


def test_conll_into_train_is_gold_unless_told(cli: Cli, project: Project, tmp_path: Path) -> None:
    src = write(tmp_path / "t.tsv", "Aspirin\tB-Chemical\nhelps\tO\n\n")
    assert cli("import", str(src), "--split", "train").exit_code == 0
    other = write(tmp_path / "u.tsv", "Lithium\tB-Chemical\nhelps\tO\n\n")
    assert cli("import", str(other), "--split", "train", "--no-gold").exit_code == 0
    assert _rows(project, "SELECT status FROM documents ORDER BY id") == [("accepted",), ("new",)]


def test_the_same_file_twice_is_refused_then_skipped_or_replaced(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    src = write(tmp_path / "a.txt", "Aspirin helps.\nLithium hurts.\n")
    assert cli("import", str(src)).exit_code == 0
    res = cli("import", str(src))
    assert res.exit_code == 1 and "imported before" in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = cli("import", str(src), "--skip-existing")
    assert res.exit_code == 0 and "2 already there, skipped" in res.output
    res = cli("import", str(src), "--replace", "--split", "dev")
    assert res.exit_code == 0 and "2 replaced" in res.output
    live = "SELECT split FROM documents WHERE removed_at IS NULL"
    assert _rows(project, live) == [("dev",), ("dev",)]
    assert len(_rows(project, "SELECT * FROM annotations")) == 4  # the old revisions stay


def test_a_document_id_appears_once(cli: Cli, tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", json.dumps({"id": "PMID1", "text": "Aspirin."}) + "\n")
    b = write(tmp_path / "b.jsonl", json.dumps({"id": "PMID1", "text": "Aspirin!"}) + "\n")
    assert cli("import", str(a)).exit_code == 0
    res = cli("import", str(b))
    assert res.exit_code == 1 and "document PMID1 is already in the project" in res.output
    assert f"{b}:1:" in res.output
    res = cli("import", str(b), str(b))
    assert res.exit_code == 1 and "appears twice in this import" in res.output


def test_hf_split_takes_one_source_split(cli: Cli, runner: Any, tmp_path: Path) -> None:
    from workbench.cli import app

    write(tmp_path / "t.tsv", "Aspirin\tB-Chemical\n\n")
    write(tmp_path / "d.tsv", "Lithium\tB-Chemical\n\n")
    write(tmp_path / "e.tsv", "Cocaine\tB-Chemical\n\n")
    for name, split in (("t", "train"), ("d", "dev"), ("e", "test")):
        assert cli("import", str(tmp_path / f"{name}.tsv"), "--split", split).exit_code == 0
    assert cli("export", str(tmp_path / "hf"), "-f", "hf").exit_code == 0
    runner.invoke(app, ["init", str(tmp_path / "q")])
    res = runner.invoke(
        app, ["-P", str(tmp_path / "q"), "import", str(tmp_path / "hf"), "--split", "train"]
    )
    assert res.exit_code == 0, res.output
    q = Project(tmp_path / "q", None)  # type: ignore[arg-type]
    assert _rows(q, "SELECT split, text FROM documents") == [("train", "Aspirin")]
    res = runner.invoke(
        app, ["-P", str(tmp_path / "q"), "import", str(tmp_path / "hf"), "--split", "pool"]
    )
    assert res.exit_code == 1 and "has no 'pool' split" in res.output


def test_an_entity_inside_a_word_is_refused_or_snapped(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    rec = {"text": "Aspirin helps.", "entities": [{"start": 2, "end": 5, "label": "Chemical"}]}
    src = write(tmp_path / "a.jsonl", json.dumps(rec) + "\n")
    res = cli("import", str(src))
    assert res.exit_code == 1
    assert f"{src}:1:" in res.output and "'pir'" in res.output and "--snap" in res.output
    res = cli("import", str(src), "--snap")
    assert res.exit_code == 0 and "1 entities widened to whole tokens" in res.output
    assert _rows(project, "SELECT text FROM spans") == [("Aspirin",)]


def test_offsets_must_be_integers(cli: Cli, tmp_path: Path) -> None:
    for bad in (True, 1.0, "1"):
        rec = {"text": "Aspirin.", "entities": [{"start": 0, "end": bad, "label": "Chemical"}]}
        res = cli("import", str(write(tmp_path / "a.jsonl", json.dumps(rec) + "\n")))
        assert res.exit_code == 1 and "must be integers" in res.output, bad


def test_a_pubtator_mention_at_a_letter_digit_break_is_kept(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    """BC5CDR marks "Ca" inside "Ca2+": the token splits there, the mention stays exact."""
    src = write(tmp_path / "p.txt", "1|t|Ca2+ overload.\n1\t0\t2\tCa\tChemical\tD002118\n")
    assert cli("import", str(src), "--split", "test").exit_code == 0
    assert _rows(project, "SELECT text FROM spans") == [("Ca",)]


def test_remove_by_id_split_and_import(cli: Cli, project: Project, tmp_path: Path) -> None:
    rows = [json.dumps({"id": f"P{i}", "text": f"Doc {i}."}) for i in range(4)]
    assert cli("import", str(write(tmp_path / "a.jsonl", "\n".join(rows) + "\n"))).exit_code == 0
    assert (
        cli("import", str(write(tmp_path / "b.txt", "Other.\n")), "--split", "dev").exit_code == 0
    )
    assert cli("remove", "P0", "#2").exit_code == 0
    res = cli("remove", "nope")
    assert res.exit_code == 1 and "no document nope" in res.output
    assert cli("remove", "--split", "dev").exit_code == 0
    assert cli("remove", "--import", "1").exit_code == 0
    assert _rows(project, "SELECT COUNT(*) FROM documents WHERE removed_at IS NULL") == [(0,)]
    assert len(_rows(project, "SELECT * FROM annotations")) == 5  # nothing deleted
    res = cli("status")
    assert res.exit_code == 0
    res = cli("import", str(tmp_path / "a.jsonl"))  # removed: the file may come back
    assert res.exit_code == 0, res.output
