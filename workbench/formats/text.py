"""Plain text: one document per non-empty line, or one per file."""

from __future__ import annotations

from pathlib import Path

from workbench.core import Document, tokenize
from workbench.formats.base import lines_of, read_text


def read(path: Path, *, doc_per_file: bool = False) -> list[Document]:
    return documents_from_text(
        read_text(path), str(path), doc_per_file=doc_per_file, doc_id=path.stem, doc_line=1
    )


def documents_from_text(
    text: str,
    source: str,
    *,
    doc_per_file: bool = False,
    doc_id: str | None = None,
    doc_line: int | None = None,
) -> list[Document]:
    """A document per non-empty line (numbered from 1), or the whole text as ``doc_id``."""
    if doc_per_file:
        return [Document(text, tokenize(text), external_id=doc_id, source=source, line=doc_line)]
    return [
        Document(line, tokenize(line), source=source, line=number)
        for number, line in enumerate(lines_of(text), start=1)
        if line.strip()
    ]
