"""An entity is a character range plus a label; tokens are derived, never stored in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str
    score: float | None = None
    # Format-specific payload kept verbatim (PubTator ids and extra fields, jsonl extras).
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"span [{self.start}, {self.end}) is empty or negative")
        if not self.label:
            raise ValueError("span has an empty label")

    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


def concept_of(meta: dict[str, Any]) -> str | None:
    """The entity's concept id (a MeSH id, ...), wherever its format kept it: brat's
    normalisation, PubTator's id column, BioC's ``identifier`` infon."""
    if meta.get("concept"):
        return str(meta["concept"])
    pubtator = meta.get("pubtator") or []
    if pubtator and str(pubtator[0]) not in ("", "-", "-1"):
        return str(pubtator[0])
    identifier = ((meta.get("bioc") or {}).get("infons") or {}).get("identifier")
    return str(identifier) if identifier else None


def entity_identity(span: Span) -> tuple[int, int, str, str | None]:
    """What two annotators must both give for an entity to be the same one: its offsets, its
    label and its concept id (an adjudication settles any other difference)."""
    return (span.start, span.end, span.label, concept_of(span.meta))


def without_concept(meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with its concept id taken out of every place a format put it, and the old id
    kept under ``concept_cleared``: a relabelled entity must not export its old concept."""
    old = concept_of(meta)
    if old is None:
        return meta
    out = {k: v for k, v in meta.items() if k not in ("concept", "pubtator")}
    bioc = meta.get("bioc")
    if isinstance(bioc, dict) and "identifier" in (bioc.get("infons") or {}):
        infons = {k: v for k, v in bioc["infons"].items() if k not in ("identifier",)}
        infons.pop("pubtator_extra", None)
        out["bioc"] = {**bioc, "infons": infons}
    out["concept_cleared"] = old
    return out


def with_concept(meta: dict[str, Any], concept: str | None, source: str) -> dict[str, Any]:
    """``meta`` naming ``concept`` (None: none) in place of whatever id it had, and who chose
    it (``user``, ``dictionary``); every format writes an id from ``concept``."""
    out = without_concept(meta)
    out = {k: v for k, v in out.items() if k not in ("concept_cleared", "concept_source")}
    if concept:
        out["concept"] = concept
        out["concept_source"] = source
    return out
