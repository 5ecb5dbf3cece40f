"""Inter-annotator agreement on double-annotated documents: for every pair of annotators,
span F1 (exact, and overlapping with the same label) and Cohen's kappa on tokens, per
label and over all labels. What each annotator did on their own line counts, never the
adjudication nor a later review."""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.table import Table

from workbench.core import Document, Span
from workbench.core.tokenize import token_span
from workbench.store.annotators import awaiting_adjudication, lines
from workbench.store.documents import load_revision, spans_of

ALL = "all"


@dataclass(frozen=True)
class AgreementRow:
    first: str
    second: str
    label: str  # a label, or "all"
    documents: int
    spans_first: int
    spans_second: int
    exact_f1: float | None  # None where neither annotator has an entity of the label
    overlap_f1: float | None
    kappa: float | None  # None where chance agreement is total (nothing to tell apart)


@dataclass(frozen=True)
class Agreement:
    rows: list[AgreementRow]
    double_documents: int
    awaiting_adjudication: int

    def pairs(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys((r.first, r.second) for r in self.rows))


@dataclass
class _Tally:
    """Counts for one pair and one label (or all labels)."""

    documents: int = 0
    first: int = 0
    second: int = 0
    exact: int = 0
    overlap: int = 0

    def f1(self, matched: int) -> float | None:
        total = self.first + self.second
        return None if total == 0 else 2 * matched / total


def agreement(conn: sqlite3.Connection, labels: Sequence[str]) -> Agreement:
    by_doc = lines(conn)
    # each annotator's accepted entities per document (a skip says nothing to compare)
    accepted: dict[int, dict[str, list[Span]]] = {
        doc_id: {ln.author: spans_of(conn, ln.annotation_id) for ln in doc_lines}
        for doc_id, doc_lines in by_doc.items()
        if all(ln.kind == "accepted" for ln in doc_lines)
    }
    authors = sorted({a for per in accepted.values() for a in per})
    rows: list[AgreementRow] = []
    for first, second in itertools.combinations(authors, 2):
        shared = [d for d, per in accepted.items() if first in per and second in per]
        if not shared:
            continue
        docs = [load_revision(conn, d).stored.document for d in shared]
        pairs = [(accepted[d][first], accepted[d][second]) for d in shared]
        rows += _pair_rows(first, second, docs, pairs, labels)
    return Agreement(rows, len(by_doc), len(awaiting_adjudication(conn)))


def _pair_rows(
    first: str,
    second: str,
    docs: Sequence[Document],
    pairs: Sequence[tuple[list[Span], list[Span]]],
    labels: Sequence[str],
) -> list[AgreementRow]:
    seen = list(labels) + sorted(
        {s.label for a, b in pairs for s in (*a, *b)} - set(labels)
    )  # a label the project no longer has is still reported
    tallies = {lab: _Tally(documents=len(docs)) for lab in [*seen, ALL]}
    tokens_a: list[str] = []
    tokens_b: list[str] = []
    for doc, (a, b) in zip(docs, pairs, strict=True):
        for lab in seen:
            _count(tallies[lab], [s for s in a if s.label == lab], [s for s in b if s.label == lab])
        _count(tallies[ALL], a, b)
        tokens_a += token_labels(doc, a)
        tokens_b += token_labels(doc, b)
    rows = []
    for lab in [*seen, ALL]:
        t = tallies[lab]
        if lab == ALL:
            kappa = cohen_kappa(tokens_a, tokens_b)
        else:
            kappa = cohen_kappa([x == lab for x in tokens_a], [x == lab for x in tokens_b])
        rows.append(
            AgreementRow(
                first, second, lab, t.documents, t.first, t.second,
                t.f1(t.exact), t.f1(t.overlap), kappa,
            )
        )  # fmt: skip
    return rows


def _count(t: _Tally, a: list[Span], b: list[Span]) -> None:
    t.first += len(a)
    t.second += len(b)
    t.exact += sum((Counter(s.key() for s in a) & Counter(s.key() for s in b)).values())
    t.overlap += overlap_matches(a, b)


def overlap_matches(a: Iterable[Span], b: Iterable[Span]) -> int:
    """Pairs of one entity each, of the same label, that share a character; each entity in
    one pair at most (exact matches paired first)."""
    left, right = sorted(a, key=Span.key), sorted(b, key=Span.key)
    used_left: set[int] = set()
    used_right: set[int] = set()
    for exact in (True, False):
        for i, s in enumerate(left):
            if i in used_left:
                continue
            for k, r in enumerate(right):
                if k in used_right or r.label != s.label:
                    continue
                if r.key() == s.key() if exact else (r.start < s.end and s.start < r.end):
                    used_left.add(i)
                    used_right.add(k)
                    break
    return len(used_left)


def token_labels(doc: Document, spans: Iterable[Span]) -> list[str]:
    """Each token's label ("O" outside every entity; the first entity's where two overlap)."""
    out = ["O"] * len(doc.tokens)
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if (found := token_span(doc.tokens, s.start, s.end)) is not None:
            for i in range(found[0], found[1] + 1):
                if out[i] == "O":
                    out[i] = s.label
    return out


def cohen_kappa(a: Sequence[object], b: Sequence[object]) -> float | None:
    """(observed - chance agreement) / (1 - chance); None when chance agreement is total."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    chance = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if chance >= 1.0:
        return None
    return (observed - chance) / (1 - chance)


def agreement_table(ag: Agreement) -> Table:
    """One table for `workbench agreement` and the dashboard: a block of rows per pair."""
    t = Table(
        title=f"Agreement on {ag.double_documents} double-annotated documents"
        f" ({ag.awaiting_adjudication} awaiting adjudication)",
        title_justify="left",
        title_style="bold",
    )
    for name in ("annotators", "label", "docs", "spans", "exact F1", "overlap F1", "kappa"):
        t.add_column(name, justify="left" if name in ("annotators", "label") else "right")
    for k, (first, second) in enumerate(ag.pairs()):
        rows = [r for r in ag.rows if (r.first, r.second) == (first, second)]
        for j, r in enumerate(rows):
            t.add_row(
                f"{first} / {second}" if j == 0 else "",
                r.label,
                str(r.documents),
                f"{r.spans_first} / {r.spans_second}",
                _num(r.exact_f1),
                _num(r.overlap_f1),
                _num(r.kappa),
                style="bold" if r.label == ALL else None,
                end_section=j == len(rows) - 1 and k < len(ag.pairs()) - 1,
            )
    return t


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"
