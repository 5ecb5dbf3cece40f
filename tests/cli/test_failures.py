"""Every failure is one line and its exit code, and the database is as it was (issue 13,
part 5). Each case here once gave a traceback, a wrong code, or changed data."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write
from workbench.project import Project

Cli = Callable[..., Any]


def _one_line(res: Any, code: int, *words: str) -> None:
    assert res.exit_code == code, (res.exit_code, res.output)
    text = res.output.strip()
    assert len(text.splitlines()) == 1, text
    assert "Traceback" not in text
    for w in words:
        assert w in text, (w, text)


def test_lone_surrogates_and_deep_json(cli: Cli, counts: Any, tmp_path: Path) -> None:
    before = counts()
    src = write(tmp_path / "s.jsonl", '{"text": "bad \\ud800 text"}\n')
    _one_line(cli("import", str(src)), 1, f"{src}:1:", "lone surrogate")
    deep = write(
        tmp_path / "d.jsonl", '{"text": "x", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    )
    _one_line(cli("import", str(deep)), 1, f"{deep}:1:", "nested too deeply")
    assert counts() == before


def test_a_device_that_never_ends_a_line(cli: Cli, counts: Any) -> None:
    before = counts()
    _one_line(cli("import", "/dev/zero", "--format", "text"), 1, "/dev/zero", "binary")
    assert counts() == before


def test_a_missing_or_empty_database_is_not_recreated(cli: Cli, project: Project) -> None:
    project.db_path.unlink()
    _one_line(cli("status"), 3, "the database is missing")
    assert not project.db_path.exists()
    project.db_path.write_bytes(b"")
    _one_line(cli("status"), 3, "empty (0 bytes)")
    assert project.db_path.stat().st_size == 0


def test_a_damaged_database(cli: Cli, project: Project, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "".join(f"Sentence number {i} about aspirin.\n" for i in range(3000)))
    assert cli("import", str(tmp_path / "a.txt")).exit_code == 0
    conn = sqlite3.connect(project.db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(project.db_path.read_bytes())
    page = 4096
    for p in range(3, len(data) // page - 1):  # scribble over the table pages, keep page 1
        data[p * page + 100 : p * page + 300] = b"\xff" * 200
    project.db_path.write_bytes(bytes(data))
    for command in (["status"], ["export", "-", "-f", "jsonl"]):
        res = cli(*command)
        assert res.exit_code == 3, res.output
        assert "Traceback" not in res.output and "damaged" in res.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only modes")
def test_a_read_only_project_can_still_be_read(cli: Cli, project: Project, tmp_path: Path) -> None:
    assert cli("import", str(write(tmp_path / "a.txt", "Aspirin helps.\n"))).exit_code == 0
    for p in (project.db_path, project.root):
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        res = cli("status")
        assert res.exit_code == 0 and "Aspirin helps." in res.output
        assert cli("export", "-", "-f", "jsonl").exit_code == 0
        _one_line(cli("import", str(tmp_path / "a.txt"), "--replace"), 3, "read-only")
    finally:
        project.root.chmod(0o755)
        project.db_path.chmod(0o644)


def test_a_read_only_connection_reads_and_refuses_writes(project: Project, tmp_path: Path) -> None:
    """The same path as above, without file modes (tests may run as root)."""
    from workbench.ops.importing import import_files
    from workbench.ops.status import project_status

    import_files(project, [write(tmp_path / "a.txt", "Aspirin helps.\n")])
    conn = project.connect(readonly=True)
    try:
        assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM imports")
    finally:
        conn.close()
    assert project_status(project).total_documents == 1


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            lambda t: t.replace('colour = "magenta"', 'colour = "blurple"'),
            ["labels.0.colour", "blurple"],
        ),
        (lambda t: t + "batch_szie = 10\n", ["batch_szie", "not a setting"]),
        (lambda t: t.replace('device = "auto"', 'device = "gpu"'), ["device", "'auto'"]),
        (
            lambda t: t.replace('name = "Disease"', 'name = "Chemical"'),
            ["labels", "two labels have the name"],
        ),
        (lambda t: t.replace('key = "2"', 'key = "x"'), ["labels.1.key", "1..9"]),
        (lambda t: t + "[[", ["not valid TOML"]),
    ],
)
def test_a_hand_edited_config_names_the_bad_key(
    cli: Cli, project: Project, edit: Any, words: list[str]
) -> None:
    toml = project.root / "workbench.toml"
    toml.write_text(edit(toml.read_text()))
    _one_line(cli("status"), 1, "workbench.toml", *words)


def test_export_writes_through_links_and_into_fifos(cli: Cli, tmp_path: Path) -> None:
    import threading

    assert cli("import", str(write(tmp_path / "a.txt", "Aspirin helps.\n"))).exit_code == 0
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    assert cli("export", str(link)).exit_code == 0
    assert link.is_symlink() and "Aspirin helps." in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file's mode is kept
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    assert cli("export", str(fifo)).exit_code == 0
    reader.join(timeout=30)
    assert fifo.exists() and stat.S_ISFIFO(fifo.stat().st_mode)
    assert "Aspirin helps." in got[0]
    assert cli("export", "/dev/null").exit_code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_bogus_filters_are_refused(cli: Cli) -> None:
    res = cli("export", "-", "--split", "bogus")
    assert res.exit_code == 2 and "'bogus' is not one of" in res.output
    res = cli("export", "-", "--status", "bogus")
    assert res.exit_code == 2 and "'bogus' is not one of" in res.output


def test_a_project_this_user_cannot_write_is_opened_read_only(
    cli: Cli, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a user without write permission sees it (root ignores file modes, so the check of
    permissions is what is replaced here)."""
    assert cli("import", str(write(tmp_path / "a.txt", "Aspirin helps.\n"))).exit_code == 0
    monkeypatch.setattr("workbench.project.writable", lambda path: False)
    res = cli("status")
    assert res.exit_code == 0 and "Aspirin helps." in res.output
    assert cli("export", "-", "-f", "jsonl").exit_code == 0
    _one_line(cli("import", str(tmp_path / "a.txt"), "--replace"), 3, "read-only")
