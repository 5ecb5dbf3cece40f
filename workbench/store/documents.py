"""Queries on documents and their annotation revisions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.core import Document, Span, Token
from workbench.core.context import with_running_context
from workbench.store import annotators

SPLITS = ("pool", "train", "dev", "test")
STATUSES = ("new", "draft", "accepted", "skipped")
PRESPLIT_FORMATS = ("conll", "hf")  # their documents' sentences come from the source


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    documents: int
    spans: int


@dataclass(frozen=True)
class StoredDocument:
    id: int
    split: str
    status: str
    format: str
    document: Document


def insert_documents(
    conn: sqlite3.Connection,
    docs: Sequence[Document],
    *,
    split: str,
    fmt: str,
    source: str,
    status: str,
    kind: str,
    content_hash: str | None = None,
) -> ImportResult:
    """Insert documents and their spans as revision 1; the caller holds the transaction."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    n_spans = sum(len(d.spans) for d in docs)
    cur = conn.execute(
        "INSERT INTO imports (source, format, split, documents, spans, content_hash)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (source, fmt, split, len(docs), n_spans, content_hash),
    )
    import_id = int(cur.lastrowid or 0)
    origin = f"import:{import_id}"
    span_rows: list[tuple[object, ...]] = []
    for doc in docs:
        cur = conn.execute(
            "INSERT INTO documents (import_id, external_id, text, tokens, split, status, format,"
            " meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                import_id,
                doc.external_id,
                doc.text,
                _dump_tokens(doc.tokens),
                split,
                status,
                fmt,
                json.dumps(doc.meta, ensure_ascii=False),
            ),
        )
        doc_id = int(cur.lastrowid or 0)
        cur = conn.execute(
            "INSERT INTO annotations (document_id, revision, kind, origin) VALUES (?, 1, ?, ?)",
            (doc_id, kind, origin),
        )
        ann_id = int(cur.lastrowid or 0)
        span_rows.extend(_span_rows(ann_id, doc))
    conn.executemany(
        'INSERT INTO spans (annotation_id, position, start, "end", label, text, score, meta)'
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        span_rows,
    )
    return ImportResult(import_id, len(docs), n_spans)


def append_revision(
    conn: sqlite3.Connection,
    document_id: int,
    spans: Sequence[Span],
    *,
    kind: str,
    origin: str = "user",
    status: str | None = None,
    meta: dict[str, Any] | None = None,
    base_revision: int | None = None,
    author: str | None = None,
    line: bool = False,
    adjudicates: Sequence[int] | None = None,
) -> int:
    """Save a document's entities as a new revision (and move its status); one transaction.
    With ``base_revision`` the save is refused (`StaleRevision`) when the document's latest
    revision is no longer that one: another session saved in between. With ``line`` the
    save goes on ``author``'s own line of a double-annotated document (``base_revision``
    counts that line's revisions) and the document's status follows from every line.
    Returns the new revision's number."""
    from workbench.store.db import transaction

    with transaction(conn):
        row = conn.execute(
            "SELECT d.text, COALESCE(MAX(a.revision), 0), d.annotators FROM documents d"
            " LEFT JOIN annotations a ON a.document_id = d.id WHERE d.id = ?",
            (document_id,),
        ).fetchone()
        if row is None or row[0] is None:
            raise KeyError(f"no document {document_id}")
        latest = based_on = int(row[1])
        if line:
            if author is None or not annotators.in_lines(conn, document_id):
                # settled (agreed on, or adjudicated) since this copy was opened
                raise StaleRevision(document_id, base_revision or 0, latest)
            mine = annotators.line_revisions(conn, document_id, author)
            if base_revision is not None and len(mine) != base_revision:
                raise StaleRevision(document_id, base_revision, len(mine))
            based_on = mine[-1] if mine else 0
            meta = {**(meta or {}), "line": True}  # what agreement compares, later too
        elif base_revision is not None and latest != base_revision:
            raise StaleRevision(document_id, base_revision, latest)
        cur = conn.execute(
            "INSERT INTO annotations (document_id, revision, kind, origin, meta, base_revision,"
            " author, adjudicates) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document_id,
                latest + 1,
                kind,
                origin,
                json.dumps(meta or {}, ensure_ascii=False),
                based_on,
                author,
                None if adjudicates is None else json.dumps(list(adjudicates)),
            ),
        )
        ann_id = int(cur.lastrowid or 0)
        doc = Document(row[0], [], list(spans))
        doc.check_spans()
        conn.executemany(
            'INSERT INTO spans (annotation_id, position, start, "end", label, text, score, meta)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            list(_span_rows(ann_id, doc)),
        )
        if line:
            status = annotators.settled_status(conn, document_id, int(row[2]))
        if status is not None:
            conn.execute(
                "UPDATE documents SET status = ?,"
                " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                (status, document_id),
            )
    return latest + 1


class StaleRevision(Exception):
    """A save based on a revision that is no longer the document's latest."""

    def __init__(self, document_id: int, base: int, latest: int):
        super().__init__(
            f"another session saved it as revision {latest} after this copy (revision {base}) "
            "was opened"
        )
        self.document_id, self.base, self.latest = document_id, base, latest


def _span_rows(annotation_id: int, doc: Document) -> Iterator[tuple[object, ...]]:
    for pos, s in enumerate(doc.spans):
        yield (
            annotation_id,
            pos,
            s.start,
            s.end,
            s.label,
            doc.text[s.start : s.end],
            s.score,
            json.dumps(s.meta, ensure_ascii=False) if s.meta else "{}",
        )


def _dump_tokens(tokens: Iterable[Token]) -> str:
    return json.dumps([[t.start, t.end] for t in tokens], separators=(",", ":"))


def iter_documents(
    conn: sqlite3.Connection,
    *,
    splits: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    context_words: int = 0,
    ids: Iterable[int] | None = None,
) -> Iterator[StoredDocument]:
    """Documents in import order, each with the spans of its latest revision (only those of
    ``ids`` when given). With ``context_words`` a document that is one sentence of a running
    text carries up to that many words of the text on each side (`Document.context`),
    whatever their split or status."""
    where, params = document_filters(splits, statuses)
    if ids is not None:  # one parameter, however many: SQLite caps a statement's variables
        where += " AND d.id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(ids)))
    rows = conn.execute(
        "SELECT d.id, d.external_id, d.text, d.tokens, d.split, d.status, d.format, d.meta,"
        " d.import_id, (SELECT a.id FROM annotations a WHERE a.document_id = d.id"
        "  ORDER BY a.revision DESC LIMIT 1) AS annotation_id"
        f" FROM documents d {where} ORDER BY d.id",
        params,
    ).fetchall()
    spans_by_ann = _spans_for([r["annotation_id"] for r in rows if r["annotation_id"]], conn)
    around: dict[int, tuple[list[str], list[str]]] = {}
    if context_words > 0 and ids is None:
        around = _running_context(conn, rows, context_words)
    elif context_words > 0:  # a few of many: each from its neighbours, not its whole file
        for r in rows:
            if (near := running_context(conn, r["id"], context_words)) is not None:
                around[r["id"]] = near
    for r in rows:
        stored = _stored(r, spans_by_ann.get(r["annotation_id"], []))
        stored.document.context = around.get(r["id"])
        yield stored


def _running_context(
    conn: sqlite3.Connection, rows: Sequence[sqlite3.Row], words: int
) -> dict[int, tuple[list[str], list[str]]]:
    """The running text around each one-sentence document of an import without document ids
    (`core.context`): its neighbours in the file within the same split, whatever their status
    (the text is the text; a test sentence is never the context of a training one)."""
    runs = sorted(
        {
            (r["import_id"], r["split"])
            for r in rows
            if r["format"] in PRESPLIT_FORMATS and not r["external_id"]
        }
    )
    out: dict[int, tuple[list[str], list[str]]] = {}
    for import_id, split in runs:
        ids: list[int] = []
        sentences = _sentences(conn, import_id, split, ids)
        # the stream yields in order, each document after its id was read
        for k, doc in enumerate(with_running_context(sentences, words)):
            if doc.context is not None:
                out[ids[k]] = doc.context
    return out


def _sentences(
    conn: sqlite3.Connection, import_id: int, split: str, ids: list[int]
) -> Iterator[Document]:
    """Documents without ids of one import and split, text and tokens only, in file order;
    their ids go to ``ids``."""
    for doc_id, text, tokens in conn.execute(
        "SELECT id, text, tokens FROM documents WHERE import_id = ? AND split = ?"
        " AND external_id IS NULL ORDER BY id",
        (import_id, split),
    ):
        ids.append(doc_id)
        yield _bare(text, tokens)


def _bare(text: str, tokens: str) -> Document:
    return Document(text, [Token(a, b) for a, b in json.loads(tokens)], presplit=True)


def running_context(
    conn: sqlite3.Connection, doc_id: int, words: int
) -> tuple[list[str], list[str]] | None:
    """One document's running-text context, as `iter_documents` gives it, from its nearest
    neighbours only: for the screens that load one document at a time."""
    row = conn.execute(
        "SELECT import_id, split, format, external_id, text, tokens FROM documents WHERE id = ?",
        (doc_id,),
    ).fetchone()
    if words <= 0 or row is None or row[2] not in PRESPLIT_FORMATS or row[3]:
        return None
    near = (
        "SELECT text, tokens FROM documents WHERE import_id = ? AND split = ?"
        " AND external_id IS NULL AND id {} ? ORDER BY id {} LIMIT ?"
    )
    key = (row[0], row[1], doc_id, words)  # a sentence has at least one word
    before = conn.execute(near.format("<", "DESC"), key).fetchall()[::-1]
    after = conn.execute(near.format(">", "ASC"), key).fetchall()
    docs = [_bare(t, k) for t, k in [*before, (row[4], row[5]), *after]]
    for _ in with_running_context(docs, words):
        pass
    return docs[len(before)].context


def _stored(r: sqlite3.Row, spans: list[Span]) -> StoredDocument:
    """A documents row (id, external_id, text, tokens, split, status, format, meta)."""
    doc = Document(
        text=r["text"],
        tokens=[Token(a, b) for a, b in json.loads(r["tokens"])],
        spans=spans,
        external_id=r["external_id"],
        meta=json.loads(r["meta"]),
        presplit=r["format"] in PRESPLIT_FORMATS,
    )
    return StoredDocument(r["id"], r["split"], r["status"], r["format"], doc)


def _spans_for(annotation_ids: list[int], conn: sqlite3.Connection) -> dict[int, list[Span]]:
    out: dict[int, list[Span]] = {}
    if not annotation_ids:
        return out
    lo, hi = min(annotation_ids), max(annotation_ids)
    wanted = set(annotation_ids)
    for r in conn.execute(
        'SELECT annotation_id, start, "end", label, score, meta FROM spans'
        " WHERE annotation_id BETWEEN ? AND ? ORDER BY annotation_id, position",
        (lo, hi),
    ):
        if r[0] in wanted:
            meta = json.loads(r[5]) if r[5] != "{}" else {}
            out.setdefault(r[0], []).append(Span(r[1], r[2], r[3], r[4], meta))
    return out


def spans_of(conn: sqlite3.Connection, annotation_id: int) -> list[Span]:
    """The entities of one revision (by its row id)."""
    return _spans_for([annotation_id], conn).get(annotation_id, [])


def document_ids(
    conn: sqlite3.Connection, *, splits: Sequence[str], statuses: Sequence[str]
) -> list[int]:
    """Ids of live documents of these splits and statuses, in import order: cheap where
    loading the documents is not (a sample of a large pool)."""
    where, params = document_filters(splits, statuses)
    return [
        int(r[0])
        for r in conn.execute(f"SELECT d.id FROM documents d {where} ORDER BY d.id", params)
    ]


def document_texts(
    conn: sqlite3.Connection, *, splits: Sequence[str], statuses: Sequence[str]
) -> list[str]:
    """The texts of live documents of these splits and statuses, without parsing their
    tokens: what a check of which documents judge a round needs."""
    where, params = document_filters(splits, statuses)
    return [str(r[0]) for r in conn.execute(f"SELECT d.text FROM documents d {where}", params)]


def document_filters(
    splits: Sequence[str] | None, statuses: Sequence[str] | None
) -> tuple[str, list[str]]:
    """The WHERE clause (on ``documents d``) for live documents of these splits and statuses."""
    clauses, params = ["d.removed_at IS NULL"], []
    if splits:
        clauses.append(f"d.split IN ({','.join('?' * len(splits))})")
        params += list(splits)
    if statuses:
        clauses.append(f"d.status IN ({','.join('?' * len(statuses))})")
        params += list(statuses)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


@dataclass(frozen=True)
class Revision:
    """A document as the annotate screen opens it: its latest revision and what that was."""

    stored: StoredDocument
    kind: str  # gold, import, draft, accepted, skipped
    origin: str
    meta: dict[str, Any]
    revision: int = 0  # its number; on an annotator's line, how many revisions the line has
    line: bool = False  # an annotator's own line of a double-annotated document
    status: str = ""  # as the annotator sees it: on a line, the line's own


def load_revision(
    conn: sqlite3.Connection, document_id: int, annotator: str | None = None
) -> Revision:
    """The document's latest revision; for an ``annotator`` of a double-annotated document
    not settled yet, the latest of their own line (the import's until they save)."""
    line = annotator is not None and annotators.in_lines(conn, document_id)
    mine = annotators.line_revisions(conn, document_id, annotator) if line and annotator else []
    line = line and bool(mine)
    r = conn.execute(
        "SELECT d.id, d.external_id, d.text, d.tokens, d.split, d.status, d.format, d.meta,"
        " a.id AS annotation_id, a.kind, a.origin, a.meta AS ann_meta, a.revision, a.author"
        " FROM documents d"
        " JOIN annotations a ON a.document_id = d.id WHERE d.id = ?"
        + (" AND a.revision = ?" if line else "")
        + " ORDER BY a.revision DESC LIMIT 1",
        (document_id, mine[-1]) if line else (document_id,),
    ).fetchone()
    if r is None:
        raise KeyError(f"no document {document_id}")
    stored = _stored(r, _spans_for([r["annotation_id"]], conn).get(r["annotation_id"], []))
    if not line:
        return Revision(
            stored,
            r["kind"],
            r["origin"],
            json.loads(r["ann_meta"]),
            int(r["revision"]),
            status=stored.status,
        )
    own = "new" if r["author"] is None else str(r["kind"])
    return Revision(stored, r["kind"], r["origin"], json.loads(r["ann_meta"]), len(mine), True, own)


@dataclass(frozen=True)
class Existing:
    """A document to import that the project already holds (live)."""

    position: int  # in the list given
    document_id: int
    external_id: str


def find_existing(conn: sqlite3.Connection, docs: Sequence[Document]) -> list[Existing]:
    """Documents with an id (a PMID, a JSON "id", -DOCSTART- ID) the project already holds."""
    wanted = {d.external_id for d in docs if d.external_id is not None}
    if not wanted:
        return []
    by_id: dict[str, int] = {}
    for r in conn.execute(
        "SELECT id, external_id FROM documents WHERE removed_at IS NULL AND external_id IS NOT NULL"
    ):
        if r[1] in wanted:
            by_id.setdefault(str(r[1]), int(r[0]))
    return [
        Existing(i, by_id[d.external_id], d.external_id)
        for i, d in enumerate(docs)
        if d.external_id is not None and d.external_id in by_id
    ]


def imports_of_content(conn: sqlite3.Connection, content_hash: str) -> list[int]:
    """Earlier imports of the same bytes that still have live documents."""
    return [
        int(r[0])
        for r in conn.execute(
            "SELECT DISTINCT i.id FROM imports i JOIN documents d ON d.import_id = i.id"
            " WHERE i.content_hash = ? AND d.removed_at IS NULL ORDER BY i.id",
            (content_hash,),
        )
    ]
