"""Plain text: one document per non-empty line, or one per file (``--doc-per-file``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from workbench.core import Document, tokenize
from workbench.formats.base import ReadOptions, Source
from workbench.formats.registry import Format, collect


def stream(source: Source, opts: ReadOptions) -> Iterator[Document]:
    if opts.doc_per_file:
        text = source.text()
        yield Document(text, tokenize(text), external_id=source.stem, source=source.name, line=1)
        return
    for line in source.lines(on_error=opts.on_error):
        if line.text.strip():
            yield Document(line.text, tokenize(line.text), source=source.name, line=line.number)


def read(path: Path, *, doc_per_file: bool = False) -> list[Document]:
    return collect(FORMAT, path, ReadOptions(doc_per_file=doc_per_file))


FORMAT = Format(
    name="text",
    help="plain text, one document per non-empty line (or per file with --doc-per-file)",
    extensions=(".txt", ".text"),
    annotations=False,
    stream=stream,
    boundary=lambda head: re.compile(rb"\n"),
)
