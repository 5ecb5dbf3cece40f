"""JSON lines: {"id", "text", "entities": [{"start", "end", "label", "text", "score"?}], "meta"}.

Written records also carry "tokens" ([[start, end], ...]) so that documents
whose tokens came from the source survive a round trip exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from workbench.core import Document, Span, Token
from workbench.core.tokenize import tokenize_around
from workbench.errors import FormatError
from workbench.formats.base import ReadOptions, Source, check_label, no_surrogates
from workbench.formats.registry import Format, collect

_ENTITY_KEYS = {"start", "end", "label", "text", "score"}


def stream(source: Source, opts: ReadOptions) -> Iterator[Document]:
    for line in source.lines(on_error=opts.on_error):
        if not line.text.strip():
            continue
        try:
            yield _document(
                _parse(line.text, source.name, line.number), source.name, line.number, opts
            )
        except FormatError as exc:
            opts.fail(exc)


def _parse(line: str, name: str, number: int) -> Any:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"not valid JSON ({exc.msg} at column {exc.colno})", name, number
        ) from None
    except RecursionError:
        raise FormatError("JSON nested too deeply to be a document record", name, number) from None
    if "\\ud" in line.lower():  # an escaped surrogate: legal JSON, not storable text
        try:
            no_surrogates(json.dumps(record, ensure_ascii=False), "the record")
        except ValueError as exc:
            raise FormatError(str(exc), name, number) from None
    return record


def read(path: Path, *, labels: Collection[str] | None = None) -> list[Document]:
    return collect(FORMAT, path, ReadOptions(labels=labels))


def _is_int(value: Any) -> bool:
    """JSON true is a bool, and a bool is an int in Python: an offset must be a real integer."""
    return isinstance(value, int) and not isinstance(value, bool)


def _document(record: Any, path: str, number: int, opts: ReadOptions) -> Document:
    labels = opts.labels

    def fail(message: str) -> FormatError:
        return FormatError(message, path, number)

    if not isinstance(record, dict):
        raise fail("each line must be a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise fail('the record has no "text" (a non-empty string)')
    meta = record.get("meta", {})
    if not isinstance(meta, dict):
        raise fail('"meta" must be an object')
    spans = []
    entities = record.get("entities", record.get("spans", []))
    if not isinstance(entities, list):
        raise fail('"entities" must be a list')
    for ent in entities:
        if not isinstance(ent, dict):
            raise fail("each entity must be an object")
        start, end, label = ent.get("start"), ent.get("end"), ent.get("label")
        if not (isinstance(start, int) and isinstance(end, int)) or not (
            _is_int(start) and _is_int(end)
        ):
            raise fail(f"entity offsets must be integers, not {start!r}..{end!r}")
        if not 0 <= start < end <= len(text):
            raise fail(f"entity offsets {start}..{end} lie outside the text (length {len(text)})")
        if not isinstance(label, str) or not label:
            raise fail("an entity has no label")
        if "text" in ent and ent["text"] != text[start:end]:
            raise fail(
                f"entity text {ent['text']!r} differs from the text at {start}..{end} "
                f"({text[start:end]!r})"
            )
        check_label(label, labels, path, number)
        score = ent.get("score")
        if score is not None and (not isinstance(score, int | float) or isinstance(score, bool)):
            raise fail("an entity's score must be a number")
        extra = {k: v for k, v in ent.items() if k not in _ENTITY_KEYS}
        spans.append(Span(start, end, label, None if score is None else float(score), extra))
    tokens = _tokens(record.get("tokens"), text, fail, spans if opts.align_tokens else [])
    ext = record.get("id")
    return Document(
        text,
        tokens,
        spans,
        external_id=None if ext is None else str(ext),
        meta=meta,
        source=str(path),
        line=number,
    )


def _tokens(raw: Any, text: str, fail: Any, spans: list[Span]) -> list[Token]:
    if raw is None:
        return tokenize_around(text, spans)
    try:
        tokens = [Token(a, b) for a, b in raw if _is_int(a) and _is_int(b)]
    except (TypeError, ValueError):
        raise fail('"tokens" must be a list of [start, end] pairs') from None
    if not isinstance(raw, list) or len(tokens) != len(raw):
        raise fail('"tokens" must be a list of [start, end] integer pairs')
    prev = 0
    for t in tokens:
        if not prev <= t.start < t.end <= len(text):
            raise fail(f"token {t.start}..{t.end} is out of order or outside the text")
        prev = t.end
    return tokens


def to_record(doc: Document, doc_id: str | int | None = None) -> dict[str, Any]:
    entities = []
    for s in doc.spans:
        ent: dict[str, Any] = {
            "start": s.start,
            "end": s.end,
            "label": s.label,
            "text": doc.text[s.start : s.end],
        }
        if s.score is not None:
            ent["score"] = round(s.score, 4)
        ent.update(s.meta)
        entities.append(ent)
    return {
        "id": doc.external_id if doc.external_id is not None else doc_id,
        "text": doc.text,
        "entities": entities,
        "meta": doc.meta,
        "tokens": [[t.start, t.end] for t in doc.tokens],
    }


def write(docs: Iterable[Document], out: TextIO) -> int:
    for doc in docs:
        out.write(json.dumps(to_record(doc), ensure_ascii=False) + "\n")
    return 0


def detect(head: list[str]) -> bool:
    """A JSON object that ends on its own line."""
    return head[0].startswith("{") and head[0].rstrip().endswith("}")


FORMAT = Format(
    name="jsonl",
    help='JSON lines: {"id", "text", "entities": [{"start", "end", "label"}], "meta"}',
    extensions=(".jsonl", ".ndjson"),
    detect=detect,
    stream=stream,
    boundary=lambda head: re.compile(rb"\n"),
    write=write,
)
