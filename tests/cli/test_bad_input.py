"""Bad input: one line naming the file and line, a non-zero exit, an unchanged database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write

PUBTATOR_OK = "1|t|Aspirin and ulcers.\n1|a|Fine.\n1\t0\t7\tAspirin\tChemical\tD1\n\n"

CASES: list[tuple[str, str, str | bytes, int | None, str]] = [
    # (id, file name, content, expected line, expected message)
    (
        "invalid-utf8",
        "latin1.txt",
        "fine\ncaf\xe9 au lait\n".encode("latin-1"),
        2,
        "not valid UTF-8",
    ),
    ("empty-file", "empty.txt", "", None, "the file is empty"),
    ("conll-no-tag", "a.tsv", "Aspirin\tB-Chemical\nhelps\n\n", 2, "no tag"),
    ("conll-bad-scheme", "b.tsv", "ok\tO\nAspirin\tX-Chemical\n\n", 2, "not in the BIO scheme"),
    (
        "conll-unknown-label",
        "c.tsv",
        "ok\tO\n\nBRCA1\tB-Gene\n",
        3,
        "'Gene' is not one of the project's labels",
    ),
    (
        "pubtator-outside",
        "p1.txt",
        PUBTATOR_OK + "2|t|Short.\n2|a|x\n2\t3\t50\tort\tDisease\n",
        7,
        "outside the text",
    ),
    (
        "pubtator-text-differs",
        "p2.txt",
        PUBTATOR_OK + "2|t|Lithium.\n2|a|x\n2\t0\t7\tLithum\tChemical\tD2\n",
        7,
        "differs from the document",
    ),
    ("jsonl-not-json", "j.jsonl", '{"text": "ok"}\n{"text": "oops"\n', 2, "not valid JSON"),
    ("binary", "blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "binary"),
]


@pytest.mark.parametrize(
    ("name", "content", "line", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_file_changes_nothing(
    cli: Callable[..., Any],
    counts: Callable[[], dict[str, int]],
    tmp_path: Path,
    name: str,
    content: str | bytes,
    line: int | None,
    message: str,
) -> None:
    # Something already in the project, and a good file imported in the same command.
    write(tmp_path / "good.txt", "Aspirin helps.\n")
    assert cli("import", str(tmp_path / "good.txt")).exit_code == 0
    before = counts()
    bad = write(tmp_path / name, content)
    res = cli("import", str(tmp_path / "good.txt"), str(bad))
    assert res.exit_code != 0
    err = res.output.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert message in err
    where = f"{bad}:{line}:" if line is not None else f"{bad}:"
    assert where in err
    assert counts() == before


def test_missing_file_and_unknown_format(
    cli: Callable[..., Any], tmp_path: Path, counts: Callable[[], dict[str, int]]
) -> None:
    before = counts()
    res = cli("import", str(tmp_path / "nope.txt"))
    assert res.exit_code == 1 and "no such file" in res.output
    write(tmp_path / "a.txt", "x\n")
    res = cli("import", str(tmp_path / "a.txt"), "--format", "xml")  # a usage error: exit 2
    assert res.exit_code == 2 and "'xml' is not one of auto, pubtator" in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = cli("import", str(tmp_path / "a.txt"), "--split", "holdout")
    assert res.exit_code == 1 and "unknown split" in res.output
    assert counts() == before


def test_database_from_a_newer_version(
    cli: Callable[..., Any], tmp_path: Path, project: Any
) -> None:
    import sqlite3

    conn = sqlite3.connect(project.db_path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    res = cli("status")
    assert res.exit_code == 3
    assert "newer than this workbench knows" in res.output
    assert len(res.output.strip().splitlines()) == 1
