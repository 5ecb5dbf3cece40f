"""`workbench tag`: read text from files, a directory or stdin; write tagged documents.

The inputs are read first (so a bad file stops the run before any output),
then predicted and written in chunks of documents, so output starts early.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.core import Document, tokenize
from workbench.errors import FormatError, WorkbenchError
from workbench.formats import text as text_format
from workbench.formats.base import lines_of
from workbench.model.errors import ModelError
from workbench.project import Project, find_project
from workbench.store.documents import active_model

OUTPUT_FORMATS = ("pretty", "jsonl", "conll", "pubtator")
CHUNK = 256


@dataclass
class TagInput:
    name: str
    docs: list[Document]


def read_inputs(
    inputs: Sequence[str], doc_per_file: bool, warn: Callable[[str], None]
) -> list[TagInput]:
    out: list[TagInput] = []
    for raw in inputs:
        if raw == "-":
            data = sys.stdin.buffer.read()
            out.append(TagInput("<stdin>", _docs_from_bytes(data, "<stdin>", doc_per_file)))
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not files:
                raise FormatError("the directory holds no files", path)
            for f in files:
                try:
                    out.append(TagInput(str(f), text_format.read(f, doc_per_file=doc_per_file)))
                except FormatError as exc:
                    if "empty" in exc.message:
                        warn(f"skipped {f}: the file is empty")
                        continue
                    raise
        elif path.exists():
            out.append(TagInput(str(path), text_format.read(path, doc_per_file=doc_per_file)))
        else:
            raise FormatError("no such file or directory", path)
    return out


def _docs_from_bytes(data: bytes, name: str, doc_per_file: bool) -> list[Document]:
    if b"\x00" in data:
        raise FormatError("holds a NUL byte: this looks like binary input", name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError("not valid UTF-8", name, line) from None
    if not text.strip():
        raise FormatError("the input is empty", name)
    if doc_per_file:
        return [Document(text, tokenize(text), external_id=name)]
    return [
        Document(ln, tokenize(ln), line=i) for i, ln in enumerate(lines_of(text), 1) if ln.strip()
    ]


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
    conn = project.connect()
    try:
        row = active_model(conn)
    finally:
        conn.close()
    if row is None:
        raise ModelError("no model yet: run `workbench train` first, or pass --model PATH")
    path = Path(row["path"])
    return (path if path.is_absolute() else project.root / path), project


def iter_chunks(inputs: Sequence[TagInput]) -> Iterator[tuple[TagInput, list[Document]]]:
    for inp in inputs:
        for i in range(0, len(inp.docs), CHUNK):
            yield inp, inp.docs[i : i + CHUNK]
