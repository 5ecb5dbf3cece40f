"""`workbench split`: documents corrected in the screen become dev or test data, on purpose."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import query, write
from workbench.project import Project

Cli = Callable[..., Any]


def _splits(project: Project) -> list[tuple[str, str, str]]:
    return [
        tuple(r)
        for r in query(
            project.db_path, "SELECT external_id, split, status FROM documents ORDER BY id"
        )
    ]


def _pool(cli: Cli, tmp_path: Path, n: int = 6) -> None:
    rows = [
        json.dumps({"id": f"P{i}", "text": f"Aspirin {i} helps.", "entities": []}) for i in range(n)
    ]
    src = write(tmp_path / "pool.jsonl", "\n".join(rows) + "\n")
    assert cli("import", str(src), "--split", "pool").exit_code == 0


def test_accepted_pool_documents_move_to_dev(cli: Cli, project: Project, tmp_path: Path) -> None:
    _pool(cli, tmp_path)
    accepted = ["A1", "A2"]
    rows = [json.dumps({"id": i, "text": "Lithium hurts.", "entities": []}) for i in accepted]
    src = write(tmp_path / "done.jsonl", "\n".join(rows) + "\n")
    assert cli("import", str(src), "--split", "pool", "--gold").exit_code == 0
    res = cli("split", "dev", "--from", "pool", "--status", "accepted")
    assert res.exit_code == 0, res.output
    assert "Moved 2 documents to dev (2 from pool)." in res.output
    rows = _splits(project)
    assert [r[0] for r in rows if r[1] == "dev"] == accepted
    assert all(r[1] == "pool" for r in rows if r[0] not in accepted)
    res = cli("split", "dev", "A1")  # already there: nothing changes, and it says so
    assert res.exit_code == 0 and "Moved 0 documents" in res.output and "1 were there" in res.output


def test_a_seeded_sample_and_a_warning_for_documents_not_accepted(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    _pool(cli, tmp_path)
    res = cli("split", "test", "--from", "pool", "--sample", "2", "--seed", "7")
    assert res.exit_code == 0, res.output
    assert "2 of them are not accepted" in res.output
    first = [r[0] for r in _splits(project) if r[1] == "test"]
    assert len(first) == 2
    res = cli("split", "pool", "--from", "test")
    assert res.exit_code == 0 and "2 left test: scores on test from before" in res.output
    assert cli("split", "test", "--from", "pool", "--sample", "2", "--seed", "7").exit_code == 0
    assert [r[0] for r in _splits(project) if r[1] == "test"] == first  # the same draw


def test_bad_requests_change_nothing(cli: Cli, project: Project, tmp_path: Path) -> None:
    _pool(cli, tmp_path, 3)
    before = _splits(project)
    for args, code, words in [
        (("split", "dev"), 1, "name the documents"),
        (("split", "dev", "P0", "nope"), 1, "no document nope"),
        (("split", "bogus", "P0"), 2, "'bogus' is not one of"),
        (("split", "dev", "--from", "pool", "--sample", "9"), 1, "only 3 documents match"),
        (("split", "dev", "--from", "train"), 1, "no documents match"),
    ]:
        res = cli(*args)
        assert res.exit_code == code, (args, res.output)
        assert words in res.output and "Traceback" not in res.output
    assert _splits(project) == before
