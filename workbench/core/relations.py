"""A document's relations as the screen shows them, from whichever format brought them:
PubTator's (and BioC's, read the same way) between concept ids, such as BC5CDR's
chemical-induced disease (CID) pairs; brat's between two entities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.document import Document
from workbench.core.spans import concept_of


@dataclass(frozen=True)
class Relation:
    kind: str
    source: str  # a mention of it (or its id, when no entity names it)
    target: str


def relations_of(doc: Document) -> list[Relation]:
    meta: dict[str, Any] = doc.meta if isinstance(doc.meta, dict) else {}
    named: dict[str, str] = {}  # concept id -> its first mention's text
    by_brat_id: dict[str, str] = {}
    for s in doc.spans:
        text = doc.text[s.start : s.end].replace("\n", " ")
        if (concept := concept_of(s.meta)) is not None:
            for one in concept.split("|"):
                named.setdefault(one, text)
        if ident := (s.meta.get("brat") or {}).get("id"):
            by_brat_id[str(ident)] = text
    out = []
    for rel in (meta.get("pubtator") or {}).get("relations") or []:
        if len(rel) >= 3:
            kind, a, b = str(rel[0]), str(rel[1]), str(rel[2])
            out.append(Relation(kind, named.get(a, a), named.get(b, b)))
    for rel in (meta.get("brat") or {}).get("relations") or []:
        if len(rel) >= 5:
            kind, a, b = str(rel[0]), str(rel[2]), str(rel[4])
            out.append(Relation(kind, by_brat_id.get(a, a), by_brat_id.get(b, b)))
    return out
