"""`workbench export`: the current revision of every document, written atomically."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from workbench.core import Document
from workbench.errors import WorkbenchError
from workbench.formats import choices, get
from workbench.formats.registry import Format
from workbench.project import Project
from workbench.store.documents import iter_documents


@dataclass(frozen=True)
class ExportResult:
    documents: int
    spans: int
    dropped: int  # spans BIO could not express (nested or crossing mentions)


def export_project(
    project: Project,
    out: Path | str,
    fmt: str = "jsonl",
    splits: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
) -> ExportResult:
    if fmt not in choices("write"):
        raise WorkbenchError(f"unknown format {fmt!r} (one of {', '.join(choices('write'))})")
    f = get(fmt)
    conn = project.connect()
    try:
        stored = list(iter_documents(conn, splits=splits, statuses=statuses))
    finally:
        conn.close()
    if not stored:
        raise WorkbenchError("no documents to export (check --split and --status)")
    docs = [s.document for s in stored]
    n_spans = sum(len(d.spans) for d in docs)
    if f.write_dir is not None:
        write_dir = f.write_dir
        if str(out) == "-":
            raise WorkbenchError(f"--format {fmt} writes a directory; name one")
        by_split: dict[str, list[Document]] = {}
        for s in stored:
            by_split.setdefault(s.split, []).append(s.document)
        dropped = _write_dir(
            Path(out), fmt, lambda tmp: write_dir(by_split, project.config.label_names, tmp)
        )
        return ExportResult(len(docs), n_spans, dropped)
    if str(out) == "-":
        return ExportResult(len(docs), n_spans, _write(f, docs, sys.stdout))
    return ExportResult(
        len(docs), n_spans, write_through(Path(out), lambda fh: _write(f, docs, fh))
    )


def write_through(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write a text file the way the user expects of the name given: a regular file (or a
    new one) atomically, through a temporary file renamed over it with the old file's mode;
    a symbolic link's target, the link kept; a FIFO or a device streamed to as it is."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.is_dir():
        raise WorkbenchError(f"{path}: is a directory; name a file (or - for standard output)")
    if target.exists() and not target.is_file():  # a FIFO, a terminal, /dev/null
        try:
            with target.open("w", encoding="utf-8", newline="\n") as fh:
                return write(fh)
        except OSError as exc:
            raise WorkbenchError(f"{path}: cannot write ({exc.strerror})") from None
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else _default_mode()
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            dropped = write(fh)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WorkbenchError(f"{path}: cannot write ({exc.strerror})") from None
    return dropped


def _default_mode() -> int:
    """What a plain open() would give a new file: 0666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write(f: Format, docs: list[Document], fh: TextIO) -> int:
    assert f.write is not None
    return f.write(docs, fh)


def _write_dir(out: Path, fmt: str, writer: Callable[[Path], int]) -> int:
    if out.exists() and not out.is_dir():
        raise WorkbenchError(f"{out}: exists and is a file; --format {fmt} writes a directory")
    if out.exists() and any(out.iterdir()):
        raise WorkbenchError(f"{out}: exists and is not empty")
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        dropped = writer(tmp)
        if out.exists():
            out.rmdir()
        tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dropped
