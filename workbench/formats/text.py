"""Plain text: one document per non-empty line, or one per file."""

from __future__ import annotations

from pathlib import Path

from workbench.core import Document, tokenize
from workbench.formats.base import lines_of, read_text


def read(path: Path, *, doc_per_file: bool = False) -> list[Document]:
    text = read_text(path)
    if doc_per_file:
        return [Document(text, tokenize(text), external_id=path.stem, source=str(path), line=1)]
    docs = []
    for number, line in enumerate(lines_of(text), start=1):
        if line.strip():
            docs.append(Document(line, tokenize(line), source=str(path), line=number))
    return docs
