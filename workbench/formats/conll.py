"""CoNLL / BIO tsv: ``token<TAB>tag`` lines, a blank line between sentences.

More columns (CoNLL-2003: token POS chunk tag) are accepted, the tag is the
last column. Without ``-DOCSTART-`` every sentence is a document; with it,
a document runs from one ``-DOCSTART-`` to the next.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TextIO

from workbench.core import BioError, Document, Token, bio_to_spans, parse_tag, spans_to_bio
from workbench.core.sentences import sentence_ranges
from workbench.errors import FormatError
from workbench.formats.base import check_label, lines_of, read_text

DOCSTART = "-DOCSTART-"


def read(path: Path, *, labels: Collection[str] | None = None) -> list[Document]:
    # Pass 1: sentences (with the line they start on) and -DOCSTART- markers, in order.
    items: list[tuple[str | None, list[tuple[str, str]], int]] = []
    sentence: list[tuple[str, str]] = []
    first_line = 0
    for number, line in enumerate(lines_of(read_text(path)), start=1):
        if not line.strip():
            if sentence:
                items.append((None, sentence, first_line))
                sentence = []
            continue
        cols = line.split("\t") if "\t" in line else line.split()
        if cols[0] == DOCSTART:
            if sentence:
                items.append((None, sentence, first_line))
                sentence = []
            items.append((line, [], number))
            continue
        if len(cols) < 2 or not cols[-1].strip():
            raise FormatError(
                f"no tag on this line ({line[:40]!r}): expected token<TAB>tag", path, number
            )
        token, tag = cols[0], cols[-1].strip()
        if not token.strip():
            raise FormatError("the token column is empty", path, number)
        try:
            _, label = parse_tag(tag)
        except BioError as exc:
            raise FormatError(str(exc), path, number) from None
        if label is not None:
            check_label(label, labels, path, number)
        if not sentence:
            first_line = number
        sentence.append((token, tag))
    if sentence:
        items.append((None, sentence, first_line))

    # Pass 2: a document per sentence, or per -DOCSTART- group when the file has them.
    if not any(marker is not None for marker, _, _ in items):
        return [_document([sent], path, at, None) for _, sent, at in items]
    docs: list[Document] = []
    group: list[list[tuple[str, str]]] = []
    docstart: str | None = None
    line_of_group = 0
    for marker, sent, at in items:
        if marker is not None:
            if group:
                docs.append(_document(group, path, line_of_group, docstart))
            group, docstart, line_of_group = [], marker, at
        else:
            group.append(sent)
            line_of_group = line_of_group or at
    if group:
        docs.append(_document(group, path, line_of_group, docstart))
    return docs


def _document(
    sentences: list[list[tuple[str, str]]], path: Path, line: int, docstart: str | None
) -> Document:
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
    return Document(
        text,
        tokens,
        bio_to_spans(tokens, tags),
        meta=meta,
        source=str(path),
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
        starts = {a for a, _ in sentence_ranges(doc)[1:]}
        lines = []
        for i, (tok, tag) in enumerate(zip(doc.tokens, tags, strict=True)):
            if i in starts:
                lines.append("")
            lines.append(f"{doc.text[tok.start : tok.end]}\t{tag}")
        out.write("\n".join(lines) + "\n\n")
    return dropped_total
