"""PubTator: ``PMID|t|title``, ``PMID|a|abstract``, mention and relation lines.

Offsets are into ``title + " " + abstract``. Mention ids, any extra fields and
relation lines are kept as they were and written back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from workbench.core import Document, Span, tokenize
from workbench.core.tokenize import tokenize_around
from workbench.errors import FormatError
from workbench.formats.base import ReadOptions, Source, check_label
from workbench.formats.registry import Format, collect

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


def stream(source: Source, opts: ReadOptions) -> Iterator[Document]:
    """A block per document; a bad line spoils its block, which is skipped with ``on_error``."""
    name = source.name
    block: _Block | None = None
    bad = False

    def finish() -> Iterator[Document]:
        if block is not None and not bad:
            try:
                yield _document(block, name, opts)
            except FormatError as exc:
                opts.fail(exc)

    for line in source.lines(on_error=opts.on_error):
        text, number = line.text, line.number
        if not text.strip():
            yield from finish()
            block, bad = None, False
            continue
        header = _HEADER.match(text)
        if header:
            pmid, part, content = header.groups()
            if block is None or block.pmid != pmid or (part == "t" and block.title is not None):
                yield from finish()
                block, bad = _Block(pmid, number), False
            if bad:
                continue
            if part == "t":
                block.title = content
            elif block.abstract is not None:
                bad = _spoil(opts, f"a second abstract line for {pmid}", name, number)
            else:
                block.abstract = content
            continue
        if bad:
            continue
        fields = text.split("\t")
        if block is None or fields[0] != block.pmid:
            message = (
                "expected a PMID|t|title line before mentions"
                if block is None
                else f"line belongs to {fields[0]!r} inside the block of {block.pmid!r}"
            )
            if block is None:
                opts.fail(FormatError(message, name, number))
                continue
            bad = _spoil(opts, message, name, number)
        elif len(fields) >= 5 and _number(fields[1]) and _number(fields[2]):
            block.mentions.append((number, fields))
        elif len(fields) >= 3 and not _number(fields[1]):
            block.relations.append(fields[1:])
        else:
            bad = _spoil(
                opts,
                "not a mention (PMID, start, end, text, type[, ids...]) nor a relation line",
                name,
                number,
            )
    yield from finish()


def _number(field: str) -> bool:
    return field.isascii() and field.isdigit()


def _spoil(opts: ReadOptions, message: str, name: str, number: int) -> bool:
    opts.fail(FormatError(message, name, number))
    return True


def read(path: Path, *, labels: Collection[str] | None = None) -> list[Document]:
    return collect(FORMAT, path, ReadOptions(labels=labels))


def _document(block: _Block, path: str, opts: ReadOptions) -> Document:
    labels = opts.labels
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
        tokenize_around(text, spans) if opts.align_tokens else tokenize(text),
        spans,
        external_id=block.pmid,
        meta=meta,
        source=path,
        line=block.line,
    )


def write(docs: Iterable[Document], out: TextIO) -> int:
    """A block per document, blank lines between them; ``docs`` may be a lazy stream."""
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
            # the source's id column and extras; else an id given in the screen or a dictionary
            extra = s.meta.get("pubtator") or ([s.meta["concept"]] if s.meta.get("concept") else [])
            fields = [pmid, str(s.start), str(s.end), text[s.start : s.end], s.label, *extra]
            lines.append("\t".join(fields))
        for rel in info.get("relations", []):
            lines.append("\t".join([pmid, *rel]))
        out.write(("" if first else "\n") + "\n".join(lines) + "\n")
        first = False
    return 0


def detect(head: list[str]) -> bool:
    return bool(_HEADER.match(head[0]))


FORMAT = Format(
    name="pubtator",
    help="PubTator: PMID|t|title, PMID|a|abstract, mention and relation lines (ids kept)",
    extensions=(".pubtator",),
    detect=detect,
    stream=stream,
    boundary=lambda head: re.compile(rb"\n\r?\n"),
    write=write,
)
