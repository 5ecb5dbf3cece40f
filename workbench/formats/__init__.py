"""The formats workbench reads and writes, one module each, listed once here.

`get` finds one by name, `detect_format` guesses one from a path (a directory's shape, the
extension, then the first non-empty lines), `choices` lists the names for a command's help.
"""

from __future__ import annotations

import gzip
from collections.abc import Collection
from pathlib import Path

from workbench.core import Document
from workbench.errors import FormatError, WorkbenchError
from workbench.formats import bioc, brat, conll, hf, jsonl, pubtator, text
from workbench.formats.base import GZIP_MAGIC, ReadOptions, Source
from workbench.formats.registry import Format, collect, read_source

# Content detection tries them in this order; text is the fallback.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        pubtator.FORMAT,
        bioc.JSON,
        jsonl.FORMAT,
        bioc.XML,
        conll.FORMAT,
        text.FORMAT,
        hf.FORMAT,
        brat.FORMAT,
    )
}
_BOM = "\ufeff"


def get(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise WorkbenchError(f"unknown format {name!r} (one of {', '.join(FORMATS)})") from None


def choices(capability: str) -> list[str]:
    """Names of the formats that can be read ("read") or written ("write")."""
    return [
        name for name, f in FORMATS.items() if (f.readable if capability == "read" else f.writable)
    ]


def help_lines(capability: str) -> str:
    return "; ".join(f"{name}: {FORMATS[name].help}" for name in choices(capability))


def detect_format(path: Path) -> str:
    """Guess from a directory's shape, the extension, then the first non-empty lines."""
    if path.is_dir():
        for f in FORMATS.values():
            if f.is_dir is not None and f.is_dir(path):
                return f.name
        raise FormatError(
            "is a directory, but neither a Hugging Face dataset nor brat (.txt + .ann)", path
        )
    name = path.name.lower().removesuffix(".gz")
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    by_ext = [f.name for f in FORMATS.values() if suffix in f.extensions]
    if len(by_ext) == 1 and by_ext[0] != "text":  # .txt may hold PubTator: look inside
        return by_ext[0]
    lines = [ln for ln in _head(path).splitlines() if ln.strip()][:20]
    if not lines:
        return "text"  # the reader reports the empty file
    lines[0] = lines[0].lstrip(_BOM)
    for f in FORMATS.values():
        if f.detect is not None and f.detect(lines):
            return f.name
    return "text"


def _head(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
            if head[:2] == GZIP_MAGIC:
                fh.seek(0)
                with gzip.GzipFile(fileobj=fh) as gz:
                    head = gz.read(65536)
    except (OSError, EOFError) as exc:
        raise FormatError(f"cannot read: {exc}", path) from None
    return head.decode("utf-8", errors="replace")


def read_documents(
    path: Path,
    fmt: str,
    *,
    labels: Collection[str] | None = None,
    doc_per_file: bool = False,
) -> list[Document]:
    """Every document of a single-split file; raises FormatError, located, on bad input."""
    return collect(get(fmt), path, ReadOptions(labels=labels, doc_per_file=doc_per_file))


__all__ = [
    "FORMATS",
    "Format",
    "ReadOptions",
    "Source",
    "choices",
    "detect_format",
    "get",
    "read_documents",
    "read_source",
]
