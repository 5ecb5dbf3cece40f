"""What `tag` reads: its arguments expanded into inputs (directories recursively, `-` for
standard input, gzip by its magic bytes), each with a format detected as `import` detects
it, and cut into units: a whole input, or a byte range of a large file that starts and ends
on record boundaries. A unit is one shard of `--out`, and the unit of work of a Ray actor.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from workbench.core import Document
from workbench.core.context import is_running_sentence
from workbench.errors import FormatError, ModelError, WorkbenchError
from workbench.formats import FORMATS, Source, choices, detect_format, get
from workbench.formats.base import GZIP_MAGIC, STDIN, ReadOptions
from workbench.formats.registry import Format, read_source
from workbench.project import Project, find_project

SEARCH_BLOCK = 1 << 20


@dataclass(frozen=True)
class Input:
    name: str  # the path as given or found, or <stdin>
    path: Path | None
    format: str
    size: int  # bytes on disk (0 for stdin)
    mtime_ns: int


@dataclass(frozen=True)
class Unit:
    index: int
    name: str
    path: str | None  # None: standard input
    format: str
    start: int
    end: int | None
    first_line: int
    size: int  # bytes of input it covers, for progress

    def source(self) -> Source:
        if self.path is None:
            return Source(STDIN)
        return Source(self.name, Path(self.path), self.start, self.end, self.first_line)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def expand_inputs(
    raw: Sequence[str], fmt: str = "auto", warn: Callable[[str], None] | None = None
) -> list[Input]:
    """Files in argument order, directories walked in name order (hidden entries skipped;
    an empty file found in a directory is skipped with a warning, a named one is an error)."""
    if fmt != "auto" and fmt not in choices("read"):
        raise WorkbenchError(
            f"unknown input format {fmt!r} (auto, or {', '.join(choices('read'))})"
        )
    if fmt != "auto" and get(fmt).stream is None:
        raise WorkbenchError(f"tag cannot read {fmt} (it reads a directory); export it first")
    if raw.count("-") > 1:
        raise WorkbenchError("standard input (-) can be named once")
    out: list[Input] = []
    for arg in raw:
        if arg == "-":
            out.append(Input(STDIN, None, "text" if fmt == "auto" else fmt, 0, 0))
            continue
        path = Path(arg)
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(x.startswith(".") for x in p.relative_to(path).parts)
            )
            if not files:
                raise FormatError("the directory holds no files", path)
            for f in files:
                if _blank(f):
                    if warn is not None:
                        warn(f"skipped {f}: the file is empty")
                    continue
                out.append(_input(f, fmt))
        elif path.exists():
            out.append(_input(path, fmt))
        else:
            raise FormatError("no such file or directory", path)
    return out


def _input(path: Path, fmt: str) -> Input:
    chosen = detect_format(path) if fmt == "auto" else fmt
    if get(chosen).stream is None:
        raise FormatError(f"is a {chosen} file: tag reads {', '.join(_streamable())}", path)
    st = path.stat()
    return Input(str(path), path, chosen, st.st_size, st.st_mtime_ns)


def _blank(path: Path) -> bool:
    if path.stat().st_size > 4096:
        return False
    return not path.read_bytes().strip()


def _streamable() -> list[str]:
    return [name for name, f in FORMATS.items() if f.stream is not None]


def plan_units(inputs: Sequence[Input], shard_bytes: int, doc_per_file: bool) -> list[Unit]:
    """Each input whole, or cut near every ``shard_bytes`` at a record boundary where the
    format allows it and the file is neither compressed nor read whole (--doc-per-file)."""
    units: list[Unit] = []
    for inp in inputs:
        ranges: list[tuple[int, int | None, int]] = [(0, None, 1)]
        f = get(inp.format)
        if inp.path is not None and inp.size > shard_bytes and not doc_per_file:
            ranges = _cut(inp.path, f, shard_bytes, inp.size)
        for start, end, line in ranges:
            size = (inp.size if end is None else end) - start
            path = None if inp.path is None else str(inp.path)
            units.append(Unit(len(units), inp.name, path, inp.format, start, end, line, size))
    return units


def _boundary(fh: BinaryIO, f: Format) -> re.Pattern[bytes] | None:
    """What separates records in this file, or None when it cannot be cut."""
    fh.seek(0)
    head = fh.read(SEARCH_BLOCK)
    return None if f.boundary is None or head[:2] == GZIP_MAGIC else f.boundary(head)


@functools.lru_cache(maxsize=64)
def _file_boundary(path: str, fmt: str, size: int, mtime_ns: int) -> re.Pattern[bytes] | None:
    """`_boundary` once per file version in this process: every shard of a file reads its
    context from before its cut, and the file's first MiB need not be read again for each
    (a 3% re-read at 32 MiB shards)."""
    with open(path, "rb") as fh:
        return _boundary(fh, get(fmt))


def _cut(path: Path, f: Format, shard_bytes: int, size: int) -> list[tuple[int, int | None, int]]:
    with path.open("rb") as fh:
        pattern = _boundary(fh, f)
        if pattern is None:
            return [(0, None, 1)]
        bounds = [0]
        target = shard_bytes
        while target < size:
            at = _find(fh, pattern, max(target, bounds[-1] + 1))
            if at is None or at >= size:
                break
            bounds.append(at)
            target = at + shard_bytes
        # line numbers at each cut, counted in one pass
        lines = [1]
        fh.seek(0)
        count, pos = 1, 0
        for cut in bounds[1:]:
            while pos < cut:
                block = fh.read(min(SEARCH_BLOCK, cut - pos))
                count += block.count(b"\n")
                pos += len(block)
            lines.append(count)
    ends: list[int | None] = [*bounds[1:], None]
    return list(zip(bounds, ends, lines, strict=True))


def _find(fh: Any, pattern: Any, pos: int) -> int | None:
    """The first record boundary at or after ``pos``."""
    carry = b""
    base = pos
    fh.seek(pos)
    while True:
        block = fh.read(SEARCH_BLOCK)
        if not block:
            return None
        data = carry + block
        m = pattern.search(data)
        if m is not None:
            at: int = m.start("at") if "at" in pattern.groupindex else m.end()
            return base + at
        keep = min(len(data), 64)
        carry = data[-keep:]
        base += len(data) - keep


def neighbours(
    unit: Unit, words: int, read: ReadOptions
) -> tuple[Iterator[Document], Iterator[Document]]:
    """Streams of the documents just before a unit cut from a file and of those just after
    it: what its first and last sentences read as context (`core.context`), so that a
    shard is tagged as the file whole is. Read for context only, and only when a running
    sentence needs it: a bad record among them is its own unit's to report."""
    if unit.path is None or words <= 0:
        return iter(()), iter(())
    path, f = Path(unit.path), get(unit.format)
    opts = replace(read, on_error=lambda error: None)
    after: Iterator[Document] = iter(())
    if unit.end is not None:
        after = read_source(f, Source(unit.name, path, unit.end, None), opts)
    return _before(unit, path, f, words, opts), after


def _before(unit: Unit, path: Path, f: Format, words: int, opts: ReadOptions) -> Iterator[Document]:
    """The records that end where ``unit`` starts, enough of them for ``words`` words of
    running text: read back from the cut, further each time until they suffice."""
    if unit.start == 0:
        return
    back = max(4096, 64 * words)
    st = path.stat()
    pattern = _file_boundary(str(path), unit.format, st.st_size, st.st_mtime_ns)
    with path.open("rb") as fh:
        while pattern is not None:
            lo = max(0, unit.start - back)
            at = 0 if lo == 0 else _find(fh, pattern, lo)
            if at is not None and at < unit.start:
                before = list(read_source(f, Source(unit.name, path, at, unit.start), opts))
                if lo == 0 or _trailing_words(before) >= words:
                    yield from before
                    return
            back *= 4


def _trailing_words(docs: Sequence[Document]) -> int:
    """Words of the running sentences that end ``docs``; a large number when another
    document ends the run (no more is read from before it)."""
    n = 0
    for doc in reversed(docs):
        if not is_running_sentence(doc):
            return 1 << 30
        n += len(doc.tokens)
    return n


def resolve_model(model: Path | None, project_dir: Path | None) -> tuple[Path, Project | None]:
    """--model wins; else the project's active model; else one line saying what to run."""
    if model is not None:
        if not (model / "config.json").is_file():
            raise ModelError(f"{model}: not a model directory (no config.json)")
        try:
            return model, find_project(project_dir)
        except WorkbenchError:
            return model, None
    project = find_project(project_dir)
    path = project.active_model_dir()
    if path is None:
        raise ModelError("no model yet: run `workbench train` first, or pass --model PATH")
    return path, project


def input_fingerprint(inputs: Sequence[Input]) -> list[dict[str, Any]]:
    """What a resumed run must find unchanged."""
    return [
        {
            "path": os.path.abspath(i.name) if i.path else i.name,
            "format": i.format,
            "size": i.size,
            "mtime_ns": i.mtime_ns,
        }
        for i in inputs
    ]
