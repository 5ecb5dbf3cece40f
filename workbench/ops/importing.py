"""`workbench import`: every file is parsed and checked first, then all go in one transaction.

An import is all or nothing: a bad line in the last file leaves the database as it was.
Nothing becomes gold, duplicated or misplaced unless the user asked:

- a document is gold (accepted, the truth a model learns from or is judged on) only when its
  format carries entities and the user says so: ``--gold``, or the default of the train, dev
  and test splits; text never is, and the pool's default is not;
- a Hugging Face dataset keeps each of its splits, unless ``--split`` names the one to take;
- a file imported before (the same bytes), or a document whose id the project already holds,
  is refused, unless ``--skip-existing`` or ``--replace`` says what to do;
- an entity that does not start and end on token boundaries is refused with its line, unless
  ``--snap`` widens it to the tokens it covers (and the import says how many).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench.core import Document
from workbench.core.tokenize import misaligned, snap
from workbench.errors import FormatError, WorkbenchError
from workbench.formats import ReadOptions, Source, choices, detect_format, get, read_source
from workbench.formats.hf import FROM_HF
from workbench.project import Project
from workbench.store import transaction
from workbench.store.documents import (
    SPLITS,
    Existing,
    find_existing,
    imports_of_content,
    insert_documents,
)
from workbench.store.selection import remove_documents, select_documents

GOLD_SPLITS = ("train", "dev", "test")
ON_EXISTING = ("refuse", "skip", "replace")
# An import is parsed whole before its one transaction: larger inputs are for `tag`.
MAX_IMPORT_BYTES = 2 * 1024**3


@dataclass
class FileImport:
    path: Path
    format: str
    split: str
    gold: bool
    documents: list[Document] = field(repr=False, default_factory=list)
    content_hash: str | None = None
    snapped: int = 0
    skipped: int = 0
    replaced: int = 0

    @property
    def count(self) -> int:
        return len(self.documents)

    @property
    def spans(self) -> int:
        return sum(len(d.spans) for d in self.documents)


@dataclass(frozen=True)
class ImportOptions:
    fmt: str = "auto"
    split: str | None = None
    doc_per_file: bool = False
    gold: bool | None = None  # None: the split's default
    on_existing: str = "refuse"
    snap: bool = False


def parse_files(project: Project, paths: Sequence[Path], opts: ImportOptions) -> list[FileImport]:
    """Every file read and checked; nothing is written."""
    if opts.fmt != "auto" and opts.fmt not in choices("read"):
        raise WorkbenchError(
            f"unknown format {opts.fmt!r} (auto, or one of {', '.join(choices('read'))})"
        )
    if not paths:
        raise WorkbenchError("name at least one file to import")
    if opts.on_existing not in ON_EXISTING:
        raise WorkbenchError(f"unknown choice {opts.on_existing!r} ({', '.join(ON_EXISTING)})")
    total = sum(p.stat().st_size for p in paths if p.is_file())
    if total > MAX_IMPORT_BYTES:
        raise WorkbenchError(
            f"{total / 1024**3:.1f} GiB is more than one import holds "
            f"({MAX_IMPORT_BYTES // 1024**3} GiB): import it in parts, or `workbench tag` it"
        )
    read = ReadOptions(labels=project.config.label_names, doc_per_file=opts.doc_per_file)
    parsed: list[FileImport] = []
    for path in paths:
        if not path.exists():
            raise FormatError("no such file", path)
        f = get(detect_format(path) if opts.fmt == "auto" else opts.fmt)
        if f.read_dir is not None:
            parsed += _dataset_splits(path, f.name, f.read_dir(path, read), opts)
            continue
        if opts.split is not None and opts.split not in SPLITS:
            raise WorkbenchError(f"unknown split {opts.split!r} (one of {', '.join(SPLITS)})")
        split = opts.split or "pool"
        docs = list(read_source(f, Source.of(path), read))
        parsed.append(
            FileImport(
                path,
                f.name,
                split,
                _gold(f.name, f.annotations, split, opts),
                docs,
                _content_hash(path),
            )
        )
    for fi in parsed:
        _align(fi, opts.snap)
    return parsed


def _dataset_splits(
    path: Path, fmt: str, by_split: dict[str, list[Document]], opts: ImportOptions
) -> list[FileImport]:
    """Each split of a dataset into the project split of the same name; ``--split NAME``
    takes only the dataset's split NAME (validation is dev). A directory without splits of
    its own (brat) goes where ``--split`` says, the pool by default."""
    if set(by_split) == {"*"}:
        if opts.split is not None and opts.split not in SPLITS:
            raise WorkbenchError(f"unknown split {opts.split!r} (one of {', '.join(SPLITS)})")
        split = opts.split or "pool"
        return [FileImport(path, fmt, split, _gold(fmt, True, split, opts), by_split["*"])]
    if opts.split is not None:
        wanted = FROM_HF.get(opts.split, opts.split)
        if wanted not in by_split:
            raise FormatError(
                f"the dataset has no {opts.split!r} split (it has {', '.join(sorted(by_split))})",
                path,
            )
        by_split = {wanted: by_split[wanted]}
    return [
        FileImport(path, fmt, split, _gold(fmt, True, split, opts), docs)
        for split, docs in by_split.items()
    ]


def _content_hash(path: Path) -> str | None:
    if not path.is_file():
        return None  # standard input, a FIFO: nothing to recognise it by
    digest = hashlib.sha1(usedforsecurity=False)
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _gold(fmt: str, carries: bool, split: str, opts: ImportOptions) -> bool:
    if opts.gold and not carries:
        raise WorkbenchError(f"--gold: {fmt} carries no entities, so it cannot be gold")
    if opts.gold is not None:
        return opts.gold
    return carries and split in GOLD_SPLITS


def _align(fi: FileImport, snapping: bool) -> None:
    """Entities on token boundaries, or refused with their line (or widened with --snap)."""
    for n, doc in enumerate(fi.documents):
        bad = misaligned(doc.tokens, doc.spans)
        if not bad:
            continue
        if not snapping:
            s = bad[0]
            raise FormatError(
                f"entity {doc.text[s.start : s.end]!r} ({s.start}..{s.end}, {s.label}) does "
                f"not start and end on token boundaries (in {_context(doc, s.start, s.end)!r}); "
                "--snap widens such entities to the tokens they cover",
                fi.path,
                doc.line,
            )
        widened = [snap(doc.tokens, s) if s in bad else s for s in doc.spans]
        fi.documents[n] = replace(doc, spans=[s for s in widened if s is not None])
        fi.snapped += len(bad)


def _context(doc: Document, start: int, end: int) -> str:
    a = max((t.start for t in doc.tokens if t.start <= start), default=start)
    b = min((t.end for t in doc.tokens if t.end >= end), default=end)
    return doc.text[a:b]


def import_files(
    project: Project,
    paths: Sequence[Path],
    opts: ImportOptions | None = None,
    **kw: object,
) -> list[FileImport]:
    """Parse and check every file, then write them all in one transaction."""
    opts = opts or ImportOptions(**kw)  # type: ignore[arg-type]
    parsed = parse_files(project, paths, opts)
    _no_duplicates_within(parsed)
    conn = project.connect()
    try:
        with transaction(conn):
            _settle_files(conn, parsed, opts.on_existing)
            existing = find_existing(conn, [d for fi in parsed for d in fi.documents])
            _settle_existing(conn, parsed, existing, opts.on_existing)
            for fi in parsed:
                status, kind = ("accepted", "gold") if fi.gold else ("new", "import")
                insert_documents(
                    conn,
                    fi.documents,
                    split=fi.split,
                    fmt=fi.format,
                    source=str(fi.path),
                    status=status,
                    kind=kind,
                    content_hash=fi.content_hash,
                )
    finally:
        conn.close()
    return parsed


def _no_duplicates_within(parsed: list[FileImport]) -> None:
    seen: dict[str, tuple[Path, int | None]] = {}
    for fi in parsed:
        for doc in fi.documents:
            if doc.external_id is None:
                continue
            if doc.external_id in seen:
                where, line = seen[doc.external_id]
                raise FormatError(
                    f"document {doc.external_id} appears twice in this import "
                    f"(also {where}{'' if line is None else f':{line}'})",
                    fi.path,
                    doc.line,
                )
            seen[doc.external_id] = (fi.path, doc.line)


def _settle_files(conn: sqlite3.Connection, parsed: list[FileImport], how: str) -> None:
    """A file imported before: refused, skipped whole, or its earlier documents removed."""
    for fi in parsed:
        if fi.content_hash is None:
            continue
        earlier = imports_of_content(conn, fi.content_hash)
        if not earlier:
            continue
        if how == "refuse":
            raise FormatError(
                f"this file was imported before (import {', '.join(map(str, earlier))}); "
                "--skip-existing leaves it as it is, --replace removes what it imported then "
                "(the revisions stay) and imports it again",
                fi.path,
            )
        if how == "skip":
            fi.skipped += len(fi.documents)
            fi.documents = []
        else:
            gone = select_documents(conn, import_ids=earlier)
            fi.replaced += remove_documents(conn, gone)


def _settle_existing(
    conn: sqlite3.Connection, parsed: list[FileImport], existing: list[Existing], how: str
) -> None:
    """Refuse, skip or replace the documents the project already holds."""
    if not existing:
        return
    if how == "refuse":
        first = existing[0]
        flat = [(fi, d) for fi in parsed for d in fi.documents]
        fi, doc = flat[first.position]
        raise FormatError(
            f"document {doc.external_id} is already in the project (as #{first.document_id}), and "
            f"{len(existing) - 1} more; --skip-existing leaves them as they are, --replace "
            "removes the old ones (their revisions stay) and imports these",
            fi.path,
            doc.line,
        )
    positions = {e.position for e in existing}
    if how == "replace":
        remove_documents(conn, [e.document_id for e in existing])
    k = 0
    for fi in parsed:
        keep = []
        for doc in fi.documents:
            if k in positions:
                if how == "skip":
                    fi.skipped += 1
                else:
                    fi.replaced += 1
                    keep.append(doc)
            else:
                keep.append(doc)
            k += 1
        fi.documents = keep
