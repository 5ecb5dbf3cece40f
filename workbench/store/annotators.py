"""Several annotators on one project: which pool documents two annotators annotate
independently, each one's own line of revisions while they do, and what awaits adjudication.

A document needing two annotations is "in lines" until it is settled: each annotator sees
and saves only their own revisions on top of the import's (blind to the other's). When
enough annotators have finished it, it is settled by itself where they all accepted the
same entities (each asked for exactly those) and otherwise waits, as a draft, for an
adjudicated revision.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.core.spans import Span, entity_identity
from workbench.store.db import transaction

FINAL = ("accepted", "skipped")
_HASH_MULT, _HASH_MOD = 2654435761, 2**32  # Knuth's multiplicative hash of the number


@dataclass(frozen=True)
class Line:
    """One annotator's latest revision of a document saved on their own line (what they
    did independently; never a later review or the adjudication)."""

    author: str
    revision: int
    annotation_id: int
    kind: str


def apply_double_share(conn: sqlite3.Connection, share: float) -> int:
    """Untouched pool documents follow the project's ``double_annotation`` share, chosen by a
    hash of their number (the same ones whatever the order of work); a document someone has
    saved keeps what it had. Returns how many changed."""
    threshold = int(share * _HASH_MOD)
    wanted = f"CASE WHEN ((id * {_HASH_MULT}) % {_HASH_MOD}) < ? THEN 2 ELSE 1 END"
    where = (
        f"split = 'pool' AND status = 'new' AND removed_at IS NULL AND annotators != {wanted}"
        " AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.document_id = documents.id"
        " AND a.author IS NOT NULL)"
    )
    # a read first: a session opening with nothing to change takes no write lock
    if conn.execute(f"SELECT COUNT(*) FROM documents WHERE {where}", (threshold,)).fetchone()[0]:
        with transaction(conn):
            cur = conn.execute(
                f"UPDATE documents SET annotators = {wanted} WHERE {where}",
                (threshold, threshold),
            )
        return cur.rowcount
    return 0


def double_documents(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute(
            "SELECT COUNT(*) FROM documents WHERE annotators >= 2 AND removed_at IS NULL"
        ).fetchone()[0]
    )


def in_lines(conn: sqlite3.Connection, document_id: int) -> bool:
    """Whether its annotators still work on lines of their own (not settled yet)."""
    row = conn.execute(
        "SELECT annotators, status FROM documents WHERE id = ?", (document_id,)
    ).fetchone()
    return row is not None and int(row[0]) >= 2 and row[1] in ("new", "draft")


def line_revisions(conn: sqlite3.Connection, document_id: int, author: str) -> list[int]:
    """The revisions an annotator's line holds, oldest first: the import's, then theirs."""
    return [
        int(r[0])
        for r in conn.execute(
            "SELECT revision FROM annotations WHERE document_id = ? AND adjudicates IS NULL"
            " AND (author IS NULL OR author = ?) ORDER BY revision",
            (document_id, author),
        )
    ]


def lines(
    conn: sqlite3.Connection, document_ids: Sequence[int] | None = None
) -> dict[int, list[Line]]:
    """Every annotator's latest revision of each document (of every double-annotated one when
    no ids are given), by document; annotators in the order they first saved it."""
    sql = (
        "SELECT a.document_id, a.author, a.revision, a.id, a.kind,"
        " (SELECT MIN(c.revision) FROM annotations c WHERE c.document_id = a.document_id"
        "  AND c.author = a.author) AS first FROM annotations a"
        " WHERE a.author IS NOT NULL AND a.revision = ("
        "  SELECT MAX(b.revision) FROM annotations b WHERE b.document_id = a.document_id"
        "  AND b.author = a.author AND json_extract(b.meta, '$.line') = 1)"
    )
    params: list[object] = []
    if document_ids is None:
        sql += (
            " AND a.document_id IN (SELECT id FROM documents WHERE annotators >= 2"
            " AND removed_at IS NULL)"
        )
    else:
        sql += f" AND a.document_id IN ({','.join('?' * len(document_ids))})"
        params = list(document_ids)
    out: dict[int, list[Line]] = {}
    for r in conn.execute(sql + " ORDER BY a.document_id, first", params):
        out.setdefault(int(r[0]), []).append(Line(str(r[1]), int(r[2]), int(r[3]), str(r[4])))
    return out


def finished(doc_lines: Sequence[Line]) -> list[Line]:
    return [ln for ln in doc_lines if ln.kind in FINAL]


def settled_status(conn: sqlite3.Connection, document_id: int, needed: int) -> str:
    """A document in lines, after one of them saved: ``accepted`` when enough annotators
    accepted the same entities, ``skipped`` when they all skipped it, else ``draft``
    (being annotated, or awaiting adjudication)."""
    done = finished(lines(conn, [document_id]).get(document_id, []))
    if len(done) < needed:
        return "draft"
    kinds = {ln.kind for ln in done}
    if kinds == {"skipped"}:
        return "skipped"
    if kinds == {"accepted"}:
        first, *rest = (_identities(conn, ln.annotation_id) for ln in done)
        if all(other == first for other in rest):
            return "accepted"
    return "draft"


def _identities(
    conn: sqlite3.Connection, annotation_id: int
) -> list[tuple[int, int, str, str | None]]:
    """A revision's entities as two annotators must agree on them (`entity_identity`)."""
    return sorted(
        entity_identity(Span(r[0], r[1], r[2], meta=json.loads(r[3])))
        for r in conn.execute(
            'SELECT start, "end", label, meta FROM spans WHERE annotation_id = ?',
            (annotation_id,),
        )
    )


def _needing(conn: sqlite3.Connection, where: str) -> dict[int, int]:
    """Double-annotated live documents matching ``where``, with how many annotators each needs."""
    return {
        int(r[0]): int(r[1])
        for r in conn.execute(
            "SELECT id, annotators FROM documents WHERE annotators >= 2 AND removed_at IS NULL"
            f" AND {where}"
        )
    }


def awaiting_adjudication(conn: sqlite3.Connection) -> list[int]:
    """Documents enough annotators finished without agreeing: the adjudicator's queue."""
    needed = _needing(conn, "status = 'draft'")
    by_doc = lines(conn) if needed else {}
    return [d for d in sorted(needed) if len(finished(by_doc.get(d, []))) >= needed[d]]


def todo_for(conn: sqlite3.Connection, author: str) -> set[int]:
    """Double-annotated documents still open to ``author``: not finished by them, and
    fewer annotators have finished them than they need."""
    needed = _needing(conn, "split = 'pool' AND status IN ('new', 'draft')")
    by_doc = lines(conn) if needed else {}
    out = set()
    for doc_id, n in needed.items():
        done = finished(by_doc.get(doc_id, []))
        if len(done) < n and all(ln.author != author for ln in done):
            out.add(doc_id)
    return out
