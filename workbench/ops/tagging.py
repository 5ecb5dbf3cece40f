"""`workbench tag`: read any input format from files, a directory or stdin; write tagged
documents.

The inputs are read first (so a bad file stops the run before any output),
then predicted and written in chunks of documents, so output starts early.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.core import Document
from workbench.errors import EmptyInputError, FormatError, ModelError, WorkbenchError
from workbench.formats import ReadOptions, Source, detect_format, get, read_source
from workbench.formats.base import STDIN
from workbench.project import Project, find_project

OUTPUT_FORMATS = ("pretty", "jsonl", "conll", "pubtator")
CHUNK = 256


@dataclass
class TagInput:
    name: str
    docs: list[Document]


def _read(source: Source, fmt: str, doc_per_file: bool) -> list[Document]:
    if fmt == "auto":
        fmt = "text" if source.path is None else detect_format(source.path)
    return list(read_source(get(fmt), source, ReadOptions(doc_per_file=doc_per_file)))


def read_inputs(
    inputs: Sequence[str], doc_per_file: bool, warn: Callable[[str], None], fmt: str = "auto"
) -> list[TagInput]:
    out: list[TagInput] = []
    for raw in inputs:
        if raw == "-":
            out.append(TagInput(STDIN, _read(Source.of("-"), fmt, doc_per_file)))
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
                    out.append(TagInput(str(f), _read(Source.of(f), fmt, doc_per_file)))
                except EmptyInputError:
                    warn(f"skipped {f}: the file is empty")
        elif path.exists():
            out.append(TagInput(str(path), _read(Source.of(path), fmt, doc_per_file)))
        else:
            raise FormatError("no such file or directory", path)
    return out


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


def iter_chunks(inputs: Sequence[TagInput]) -> Iterator[tuple[TagInput, list[Document]]]:
    for inp in inputs:
        for i in range(0, len(inp.docs), CHUNK):
            yield inp, inp.docs[i : i + CHUNK]
