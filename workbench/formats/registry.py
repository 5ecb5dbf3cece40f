"""One registry of formats: each declares its name, extensions, content detection, reader,
writer and one-line help, and `import`, `export` and `tag` are built from it.

A new format is one module that defines ``FORMAT = Format(...)`` and one line in
`formats/__init__.py`'s list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from workbench.core import Document
from workbench.errors import EmptyInputError, FormatError, WorkbenchError
from workbench.formats.base import ReadOptions, Source

Stream = Callable[[Source, ReadOptions], Iterator[Document]]
Writer = Callable[[Iterable[Document], TextIO], int]  # returns the spans it could not write
DirReader = Callable[[Path, ReadOptions], dict[str, list[Document]]]  # by the source's split
DirWriter = Callable[[Mapping[str, Sequence[Document]], Sequence[str], Path], int]
Detect = Callable[[list[str]], bool]  # the first non-empty lines of the input
# Where a large file may be cut into shards: given its first bytes, a pattern whose end (or
# its group "at") is a record boundary; None when this file cannot be cut.
Boundary = Callable[[bytes], "re.Pattern[bytes] | None"]


@dataclass(frozen=True)
class Format:
    name: str
    help: str
    extensions: tuple[str, ...] = ()
    detect: Detect | None = None
    stream: Stream | None = None
    write: Writer | None = None
    annotations: bool = True  # its documents can carry entities (gold)
    # A directory format (a Hugging Face dataset, brat standoff) reads and writes a folder.
    read_dir: DirReader | None = None
    write_dir: DirWriter | None = None
    is_dir: Callable[[Path], bool] | None = None
    boundary: Boundary | None = None

    @property
    def readable(self) -> bool:
        return self.stream is not None or self.read_dir is not None

    @property
    def writable(self) -> bool:
        return self.write is not None or self.write_dir is not None


def read_source(fmt: Format, source: Source, opts: ReadOptions) -> Iterator[Document]:
    """The documents of one input, streamed; an input with none is a located error."""
    if fmt.stream is None:
        raise WorkbenchError(f"{fmt.name} is not a format workbench reads")
    produced = False
    for doc in fmt.stream(source, opts):
        produced = True
        yield doc
    if not produced and opts.on_error is None:
        what = "file" if source.path is not None else "input"
        if _blank(source):
            raise EmptyInputError(f"the {what} is empty", source.name)
        raise FormatError("holds no documents", source.name)


def _blank(source: Source) -> bool:
    if source.path is None:
        return True  # standard input cannot be read twice; nothing came of it
    fh = source.open()
    try:
        while chunk := fh.read(1 << 16):
            if chunk.strip():
                return False
        return True
    finally:
        fh.close()


def collect(fmt: Format, path: Path | str, opts: ReadOptions | None = None) -> list[Document]:
    """Every document of a file, in memory: for tests and small inputs."""
    return list(read_source(fmt, Source.of(path), opts or ReadOptions()))
