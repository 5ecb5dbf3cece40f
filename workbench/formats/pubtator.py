"""PubTator: ``PMID|t|title``, ``PMID|a|abstract``, mention and relation lines.

Offsets are into ``title + " " + abstract``. Mention ids, any extra fields and
relation lines are kept as they were and written back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from workbench.core import Document, Span, tokenize
from workbench.errors import FormatError
from workbench.formats.base import check_label, lines_of, read_text

_HEADER = re.compile(r"^([^|\t]+)\|([ta])\|(.*)$")
_FLATTEN = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


@dataclass
class _Block:
    pmid: str
    line: int
    title: str | None = None
    abstract: str | None = None
    mentions: list[tuple[int, list[str]]] = field(default_factory=list)
    relations: list[list[str]] = field(default_factory=list)


def read(path: Path, *, labels: Collection[str] | None = None) -> list[Document]:
    blocks: list[_Block] = []
    block: _Block | None = None
    for number, line in enumerate(lines_of(read_text(path)), start=1):
        if not line.strip():
            block = None
            continue
        header = _HEADER.match(line)
        if header:
            pmid, part, content = header.groups()
            if block is None or block.pmid != pmid or (part == "t" and block.title is not None):
                block = _Block(pmid, number)
                blocks.append(block)
            if part == "t":
                block.title = content
            elif block.abstract is not None:
                raise FormatError(f"a second abstract line for {pmid}", path, number)
            else:
                block.abstract = content
            continue
        fields = line.split("\t")
        if block is None or fields[0] != block.pmid:
            raise FormatError(
                "expected a PMID|t|title line before mentions"
                if block is None
                else f"line belongs to {fields[0]!r} inside the block of {block.pmid!r}",
                path,
                number,
            )
        if len(fields) >= 5 and fields[1].isdigit() and fields[2].isdigit():
            block.mentions.append((number, fields))
        elif len(fields) >= 3 and not fields[1].isdigit():
            block.relations.append(fields[1:])
        else:
            raise FormatError(
                "not a mention (PMID, start, end, text, type[, ids...]) nor a relation line",
                path,
                number,
            )
    return [_document(b, path, labels) for b in blocks]


def _document(block: _Block, path: Path, labels: Collection[str] | None) -> Document:
    if block.title is None:
        raise FormatError(f"document {block.pmid} has no title line (PMID|t|...)", path, block.line)
    text = block.title if block.abstract is None else f"{block.title} {block.abstract}"
    if not text.strip():
        raise FormatError(f"document {block.pmid} has neither title nor abstract", path, block.line)
    spans = []
    for number, fields in block.mentions:
        start, end, mention, label = int(fields[1]), int(fields[2]), fields[3], fields[4]
        if not 0 <= start < end <= len(text):
            raise FormatError(
                f"mention offsets {start}..{end} lie outside the text of {block.pmid} "
                f"(length {len(text)})",
                path,
                number,
            )
        if text[start:end] != mention:
            raise FormatError(
                f"mention text {mention!r} differs from the document at {start}..{end} "
                f"({text[start:end]!r})",
                path,
                number,
            )
        check_label(label, labels, path, number)
        spans.append(Span(start, end, label, meta={"pubtator": fields[5:]}))
    meta = {
        "pubtator": {
            "title_length": len(block.title),
            "has_abstract": block.abstract is not None,
            "relations": block.relations,
        }
    }
    return Document(
        text,
        tokenize(text),
        spans,
        external_id=block.pmid,
        meta=meta,
        source=str(path),
        line=block.line,
    )


def write(docs: Iterable[Document], out: TextIO) -> None:
    first = True
    for n, doc in enumerate(docs, start=1):
        info = doc.meta.get("pubtator", {})
        pmid = doc.external_id or str(n)
        # Line breaks and tabs would break the format; one space each keeps every offset.
        text = doc.text.translate(_FLATTEN)
        title_len = info.get("title_length", len(text))
        lines = [f"{pmid}|t|{text[:title_len]}"]
        if info.get("has_abstract", False):
            lines.append(f"{pmid}|a|{text[title_len + 1 :]}")
        for s in doc.spans:
            extra = s.meta.get("pubtator", [])
            fields = [pmid, str(s.start), str(s.end), text[s.start : s.end], s.label, *extra]
            lines.append("\t".join(fields))
        for rel in info.get("relations", []):
            lines.append("\t".join([pmid, *rel]))
        out.write(("" if first else "\n") + "\n".join(lines) + "\n")
        first = False
