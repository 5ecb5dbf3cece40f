"""CoNLL / BIO tsv: ``token<TAB>tag`` lines, a blank line between sentences.

More columns (CoNLL-2003: token POS chunk tag) are accepted, the tag is the
last column. Without ``-DOCSTART-`` every sentence is a document; with it,
a document runs from one ``-DOCSTART-`` to the next, and ``-DOCSTART- ID``
names it. Written documents with an id (a PMID) open with that line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TextIO

from workbench.core import BioError, Document, Token, bio_to_spans, parse_tag, spans_to_bio
from workbench.core.sentences import sentence_ranges
from workbench.errors import FormatError
from workbench.formats.base import ReadOptions, Source, check_label
from workbench.formats.registry import Format, collect

DOCSTART = "-DOCSTART-"
Sentence = list[tuple[str, str]]


def stream(source: Source, opts: ReadOptions) -> Iterator[Document]:
    """Sentences are documents until the first ``-DOCSTART-``; from then on a document runs
    from one marker to the next. A bad line drops its sentence (with ``on_error``)."""
    name = source.name
    group: list[Sentence] | None = None  # the open -DOCSTART- document, once one was seen
    docstart: str | None = None
    group_line = 0
    sentence: Sentence = []
    first_line = 0
    bad = False

    def close_sentence() -> Iterator[Document]:
        nonlocal sentence, bad, group_line
        if sentence and not bad:
            if group is None:
                yield _document([sentence], name, first_line, None)
            else:
                group_line = group_line or first_line
                group.append(sentence)
        sentence, bad = [], False

    for line in source.lines(on_error=opts.on_error):
        text = line.text
        if not text.strip():
            yield from close_sentence()
            continue
        cols = text.split("\t") if "\t" in text else text.split()
        if cols[0] == DOCSTART:
            yield from close_sentence()
            if group:
                yield _document(group, name, group_line, docstart)
            group, docstart, group_line = [], text, line.number
            continue
        if bad:
            continue
        try:
            sentence.append(_token(cols, text, name, line.number, opts.labels))
        except FormatError as exc:
            opts.fail(exc)
            bad = True
            continue
        if len(sentence) == 1:
            first_line = line.number
    yield from close_sentence()
    if group:
        yield _document(group, name, group_line, docstart)


def _token(
    cols: list[str], line: str, name: str, number: int, labels: Collection[str] | None
) -> tuple[str, str]:
    if len(cols) < 2 or not cols[-1].strip():
        raise FormatError(
            f"no tag on this line ({line[:40]!r}): expected token<TAB>tag", name, number
        )
    token, tag = cols[0], cols[-1].strip()
    if not token.strip():
        raise FormatError("the token column is empty", name, number)
    try:
        _, label = parse_tag(tag)
    except BioError as exc:
        raise FormatError(str(exc), name, number) from None
    if label is not None:
        check_label(label, labels, name, number)
    return token, tag


def read(path: Path, *, labels: Collection[str] | None = None) -> list[Document]:
    return collect(FORMAT, path, ReadOptions(labels=labels))


def _document(sentences: list[Sentence], path: str, line: int, docstart: str | None) -> Document:
    parts: list[str] = []
    tokens: list[Token] = []
    tags: list[str] = []
    pos = 0
    for i, sent in enumerate(sentences):
        for j, (tok, tag) in enumerate(sent):
            if j or i:
                sep = " " if j else "\n"
                parts.append(sep)
                pos += 1
            parts.append(tok)
            tokens.append(Token(pos, pos + len(tok)))
            tags.append(tag)
            pos += len(tok)
    meta = {"docstart": docstart} if docstart is not None else {}
    text = "".join(parts)
    marker = docstart.split() if docstart is not None else []
    return Document(
        text,
        tokens,
        bio_to_spans(tokens, tags),
        external_id=marker[1] if len(marker) == 2 else None,  # "-DOCSTART- 12345"
        meta=meta,
        source=path,
        line=line or None,
        presplit=True,
    )


def write(docs: Iterable[Document], out: TextIO) -> int:
    """Write BIO lines; return how many spans BIO could not express (overlaps)."""
    dropped_total = 0
    for doc in docs:
        tags, dropped = spans_to_bio(doc.tokens, doc.spans)
        dropped_total += dropped
        if "docstart" in doc.meta:
            out.write(f"{doc.meta['docstart']}\n\n")
        elif doc.external_id is not None:
            out.write(f"{DOCSTART} {doc.external_id}\n\n")
        elif len(sentence_ranges(doc)) > 1:  # else its sentences would read back apart
            out.write(f"{DOCSTART}\n\n")
        starts = {a for a, _ in sentence_ranges(doc)[1:]}
        lines = []
        for i, (tok, tag) in enumerate(zip(doc.tokens, tags, strict=True)):
            if i in starts:
                lines.append("")
            lines.append(f"{doc.text[tok.start : tok.end]}\t{tag}")
        out.write("\n".join(lines) + "\n\n")
    return dropped_total


_BIO_TAG = re.compile(r"^(O|[BI]-\S+)$")


def detect(head: list[str]) -> bool:
    def columns(ln: str) -> list[str]:
        return ln.split("\t") if "\t" in ln else ln.split()

    return all(
        ln.startswith(DOCSTART) or (len(columns(ln)) >= 2 and bool(_BIO_TAG.match(columns(ln)[-1])))
        for ln in head
    )


def boundary(head: bytes) -> re.Pattern[bytes]:
    """Between documents: before a -DOCSTART- line where the file has them, else (every
    sentence a document) after a blank line."""
    if DOCSTART.encode() in head:
        return re.compile(rb"\n(?P<at>-DOCSTART-)")
    return re.compile(rb"\n\r?\n")


FORMAT = Format(
    name="conll",
    help="CoNLL / BIO: token<TAB>tag lines, a blank line between sentences, -DOCSTART- ids",
    extensions=(".conll", ".tsv", ".iob", ".bio", ".bioes"),
    detect=detect,
    stream=stream,
    boundary=boundary,
    write=write,
)
