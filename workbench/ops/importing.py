"""`workbench import`: every file is parsed and checked first, then all go in one transaction.

An import is all or nothing: a bad line in the last file leaves the database
as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.core import Document
from workbench.errors import FormatError, WorkbenchError
from workbench.formats import ReadOptions, Source, choices, detect_format, get, read_source
from workbench.project import Project
from workbench.store import transaction
from workbench.store.documents import SPLITS, ImportResult, insert_documents


@dataclass(frozen=True)
class FileImport:
    path: Path
    format: str
    split: str
    documents: int
    spans: int


def _status_for(split: str) -> tuple[str, str]:
    """(document status, revision kind): train/dev/test imports are gold and accepted."""
    return ("new", "import") if split == "pool" else ("accepted", "gold")


def parse_files(
    project: Project,
    paths: Sequence[Path],
    fmt: str = "auto",
    split: str | None = None,
    doc_per_file: bool = False,
) -> list[tuple[Path, str, str, list[Document]]]:
    """(path, format, split, documents) for every file; nothing is written."""
    if fmt != "auto" and fmt not in choices("read"):
        raise WorkbenchError(
            f"unknown format {fmt!r} (auto, or one of {', '.join(choices('read'))})"
        )
    if split is not None and split not in SPLITS:
        raise WorkbenchError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    if not paths:
        raise WorkbenchError("name at least one file to import")
    opts = ReadOptions(labels=project.config.label_names, doc_per_file=doc_per_file)
    parsed = []
    for path in paths:
        if not path.exists():
            raise FormatError("no such file", path)
        f = get(detect_format(path) if fmt == "auto" else fmt)
        if f.read_dir is not None:
            if not path.is_dir():
                raise FormatError(f"--format {f.name} reads a directory", path)
            for source_split, docs in f.read_dir(path, opts).items():
                parsed.append((path, f.name, split or source_split, docs))
            continue
        docs = list(read_source(f, Source.of(path), opts))
        parsed.append((path, f.name, split or "pool", docs))
    return parsed


def import_files(
    project: Project,
    paths: Sequence[Path],
    fmt: str = "auto",
    split: str | None = None,
    doc_per_file: bool = False,
) -> list[FileImport]:
    parsed = parse_files(project, paths, fmt, split, doc_per_file)
    results = []
    conn = project.connect()
    try:
        with transaction(conn):
            for path, this_fmt, this_split, docs in parsed:
                status, kind = _status_for(this_split)
                res: ImportResult = insert_documents(
                    conn,
                    docs,
                    split=this_split,
                    fmt=this_fmt,
                    source=str(path),
                    status=status,
                    kind=kind,
                )
                results.append(FileImport(path, this_fmt, this_split, res.documents, res.spans))
    finally:
        conn.close()
    return results
