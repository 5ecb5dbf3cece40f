"""Where tagged documents go: a format writer on a stream (standard output, one shard), or a
Parquet file of entity rows. A sink takes a chunk at a time, so output is written as it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from workbench.core import Document, Span
from workbench.errors import WorkbenchError
from workbench.formats import choices, get

# The file extension of each output format's shards.
EXTENSIONS = {
    "jsonl": ".jsonl",
    "conll": ".conll",
    "pubtator": ".pubtator",
    "parquet": ".parquet",
}
OUTPUT_FORMATS = ("pretty", *EXTENSIONS)


class Sink(Protocol):
    def write(self, docs: Sequence[Document]) -> None: ...

    def close(self) -> None: ...


def tagged(doc: Document, spans: list[Span], doc_id: str | None) -> Document:
    """The input document with the model's entities in place of any it had, and an id to
    write it under. Its layout (a PubTator title, a -DOCSTART- line) is kept; the input's
    relations are not: they link the input's entities, not the model's."""
    meta = doc.meta
    if isinstance(meta.get("pubtator"), dict) and meta["pubtator"].get("relations"):
        meta = {**meta, "pubtator": {**meta["pubtator"], "relations": []}}
    return Document(
        doc.text, doc.tokens, spans, external_id=doc_id, meta=meta, presplit=doc.presplit
    )


def check_output_format(fmt: str) -> None:
    if fmt not in OUTPUT_FORMATS or (
        fmt not in ("pretty", "parquet") and fmt not in choices("write")
    ):
        raise WorkbenchError(f"unknown output format {fmt!r} (one of {', '.join(OUTPUT_FORMATS)})")


class TextSink:
    """A registry format's writer on a text stream, called once per chunk."""

    def __init__(self, fmt: str, stream: TextIO):
        f = get(fmt)
        assert f.write is not None
        self._write = f.write
        self._stream = stream
        self._separate = fmt == "pubtator"  # its writer puts blank lines between documents
        self._first = True

    def write(self, docs: Sequence[Document]) -> None:
        if not docs:
            return
        if self._separate and not self._first:
            self._stream.write("\n")
        self._write(docs, self._stream)
        self._first = False
        self._stream.flush()

    def close(self) -> None:
        self._stream.flush()


class ParquetSink:
    """One row per entity: document, start, end, label, text, score, concept."""

    SCHEMA_FIELDS = ("document", "start", "end", "label", "text", "score", "concept")

    def __init__(self, path: Path):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self.schema = pa.schema(
            [
                ("document", pa.string()),
                ("start", pa.int64()),
                ("end", pa.int64()),
                ("label", pa.string()),
                ("text", pa.string()),
                ("score", pa.float32()),
                ("concept", pa.string()),
            ]
        )
        self._writer: Any = pq.ParquetWriter(str(path), self.schema, compression="zstd")

    def write(self, docs: Sequence[Document]) -> None:
        cols: dict[str, list[Any]] = {k: [] for k in self.SCHEMA_FIELDS}
        for doc in docs:
            for s in doc.spans:
                cols["document"].append(doc.external_id)
                cols["start"].append(s.start)
                cols["end"].append(s.end)
                cols["label"].append(s.label)
                cols["text"].append(doc.text[s.start : s.end])
                cols["score"].append(s.score)
                cols["concept"].append(s.meta.get("concept"))
        self._writer.write_table(self._pa.table(cols, schema=self.schema))

    def close(self) -> None:
        self._writer.close()


def open_sink(fmt: str, path: Path) -> tuple[Sink, Any]:
    """A sink writing to ``path`` and the file object to close after it (None for Parquet)."""
    if fmt == "parquet":
        return ParquetSink(path), None
    fh = path.open("w", encoding="utf-8", newline="\n")
    return TextSink(fmt, fh), fh
