"""One module per format; `read_documents` dispatches and `detect_format` sniffs."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from workbench.core import Document
from workbench.errors import FormatError
from workbench.formats import conll, hf, jsonl, pubtator, text

IMPORT_FORMATS = ("auto", "text", "jsonl", "conll", "pubtator", "hf")
EXPORT_FORMATS = ("jsonl", "conll", "pubtator", "hf")

_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".conll": "conll",
    ".tsv": "conll",
    ".iob": "conll",
    ".bio": "conll",
    ".pubtator": "pubtator",
    ".txt": None,  # text or PubTator: look inside
}
_PUBTATOR_HEAD = re.compile(r"^[^|\t\s]+\|t\|")
_BIO_TAG = re.compile(r"^(O|[BI]-\S+)$")


def detect_format(path: Path) -> str:
    """Guess from a directory's shape, the extension, then the first non-empty lines."""
    if path.is_dir():
        if hf.is_dataset_dir(path):
            return "hf"
        raise FormatError("is a directory but not a Hugging Face dataset (save_to_disk)", path)
    ext = _EXTENSIONS.get(path.suffix.lower())
    if ext is not None:
        return ext
    try:
        with path.open("rb") as fh:
            head = fh.read(65536).decode("utf-8", errors="replace")
    except OSError as exc:
        raise FormatError(f"cannot read: {exc.strerror}", path) from None
    lines = [ln for ln in head.splitlines() if ln.strip()][:20]
    if not lines:
        return "text"  # the reader reports the empty file
    if _PUBTATOR_HEAD.match(lines[0].lstrip("\ufeff")):
        return "pubtator"
    if lines[0].lstrip("\ufeff").startswith("{"):
        return "jsonl"

    def columns(ln: str) -> list[str]:
        return ln.split("\t") if "\t" in ln else ln.split()

    if all(
        ln.startswith("-DOCSTART-") or (len(columns(ln)) >= 2 and _BIO_TAG.match(columns(ln)[-1]))
        for ln in lines
    ):
        return "conll"
    return "text"


def read_documents(
    path: Path,
    fmt: str,
    *,
    labels: Collection[str] | None = None,
    doc_per_file: bool = False,
) -> list[Document]:
    """Every document of a single-split file; raises FormatError, located, on bad input."""
    if fmt == "text":
        return text.read(path, doc_per_file=doc_per_file)
    if fmt == "jsonl":
        return jsonl.read(path, labels=labels)
    if fmt == "conll":
        return conll.read(path, labels=labels)
    if fmt == "pubtator":
        return pubtator.read(path, labels=labels)
    raise ValueError(f"unknown format {fmt!r}")
