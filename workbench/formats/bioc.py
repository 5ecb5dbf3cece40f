"""BioC, the BioCreative exchange format, in XML (``bioc``) and JSON (``bioc-json``), through
the `bioc` package.

A document's passages are laid out at their offsets (gaps filled with spaces, as PubTator's
title + " " + abstract); annotations become entities (their ``type`` infon the label, their
``identifier`` the concept id, other infons kept); relations are kept. What PubTator holds
(the title's length, concept ids and extra fields, relation lines) maps onto BioC and back,
so a PubTator file exported to BioC and imported again exports the same PubTator.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from workbench.core import Document, Span, tokenize
from workbench.core.tokenize import tokenize_around
from workbench.errors import FormatError
from workbench.formats.base import ReadOptions, Source, check_label
from workbench.formats.registry import Format

EXTRA = "pubtator_extra"  # PubTator's fields after the concept id, tab-joined


def stream_xml(source: Source, opts: ReadOptions) -> Iterator[Document]:
    from bioc import biocxml

    fh = source.open()
    try:
        try:
            reader = biocxml.BioCXMLDocumentReader(fh)
            for number, bdoc in enumerate(reader, start=1):
                try:
                    yield _document(bdoc, source.name, number, opts)
                except FormatError as exc:
                    opts.fail(exc)
        except FormatError:
            raise
        except Exception as exc:  # lxml's syntax errors and the reader's own
            raise FormatError(f"not BioC XML ({_first_line(exc)})", source.name) from None
    finally:
        fh.close()


def stream_json(source: Source, opts: ReadOptions) -> Iterator[Document]:
    from bioc import biocjson

    try:
        collection = biocjson.loads(source.text())
    except FormatError:
        raise
    except Exception as exc:
        raise FormatError(f"not BioC JSON ({_first_line(exc)})", source.name) from None
    for number, bdoc in enumerate(collection.documents, start=1):
        try:
            yield _document(bdoc, source.name, number, opts)
        except FormatError as exc:
            opts.fail(exc)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _document(bdoc: Any, name: str, number: int, opts: ReadOptions) -> Document:
    def fail(message: str) -> FormatError:
        return FormatError(f"document {bdoc.id or number}: {message}", name)

    text = ""
    passages = []
    for p in sorted(bdoc.passages, key=lambda p: p.offset):
        if p.offset < len(text):
            raise fail(f"passage at {p.offset} overlaps the one before it")
        text += " " * (p.offset - len(text)) + (p.text or "")
        passages.append({"offset": p.offset, "length": len(p.text or ""), "infons": dict(p.infons)})
    if not text.strip():
        raise fail("has no passage text")
    spans = []
    anns = [a for p in bdoc.passages for a in p.annotations] + list(bdoc.annotations)
    for a in anns:
        if not a.locations:
            raise fail(f"annotation {a.id} has no location")
        start = min(loc.offset for loc in a.locations)
        end = max(loc.offset + loc.length for loc in a.locations)
        if not 0 <= start < end <= len(text):
            raise fail(f"annotation {a.id} at {start}..{end} lies outside the text")
        if len(a.locations) == 1 and a.text and text[start:end] != a.text:
            raise fail(f"annotation {a.id} text {a.text!r} differs from {text[start:end]!r}")
        label = a.infons.get("type")
        if not label:
            raise fail(f"annotation {a.id} has no type infon (its label)")
        check_label(label, opts.labels, name, None)
        spans.append(Span(start, end, label, meta=_span_meta(a)))
    relations = [
        _relation(r) for r in [*bdoc.relations, *(r for p in bdoc.passages for r in p.relations)]
    ]
    meta: dict[str, Any] = {"bioc": {"infons": dict(bdoc.infons), "passages": passages}}
    meta["bioc"]["relations"] = relations
    titled = [p["infons"].get("type") for p in passages] in (["title"], ["title", "abstract"])
    if titled and passages[0]["offset"] == 0:
        meta["pubtator"] = {
            "title_length": passages[0]["length"],
            "has_abstract": len(passages) == 2,
            "relations": [_pubtator_relation(r) for r in relations],
        }
    tokens = tokenize_around(text, spans) if opts.align_tokens else tokenize(text)
    return Document(text, tokens, spans, external_id=bdoc.id or None, meta=meta, source=name)


def _span_meta(a: Any) -> dict[str, Any]:
    infons = {k: v for k, v in a.infons.items() if k != "type"}
    meta: dict[str, Any] = {"bioc": {"id": a.id, "infons": infons}}
    if len(a.locations) > 1:
        meta["bioc"]["locations"] = [[loc.offset, loc.length] for loc in a.locations]
    if "identifier" in infons:
        extra = infons.get(EXTRA)
        meta["pubtator"] = [infons["identifier"], *(extra.split("\t") if extra else [])]
    return meta


def _relation(r: Any) -> dict[str, Any]:
    return {"id": r.id, "infons": dict(r.infons), "nodes": [[n.refid, n.role] for n in r.nodes]}


def _pubtator_relation(r: dict[str, Any]) -> list[str]:
    infons = r["infons"]
    args = [infons[k] for k in sorted(infons) if k.startswith("arg")]
    return [infons.get("type", ""), *args]


# -- writing ------------------------------------------------------------------------------


def _collection(docs: Iterable[Document]) -> Any:
    import bioc

    collection = bioc.BioCCollection()
    collection.source = "workbench"
    for n, doc in enumerate(docs, start=1):
        collection.add_document(_bioc_document(doc, n))
    return collection


def _bioc_document(doc: Document, n: int) -> Any:
    import bioc

    bdoc = bioc.BioCDocument()
    bdoc.id = doc.external_id or str(n)
    info = doc.meta.get("bioc") or {}
    bdoc.infons.update(info.get("infons", {}))
    layout = info.get("passages") or _passages_of(doc)
    passages = []
    for p in layout:
        bp = bioc.BioCPassage()
        bp.offset = int(p["offset"])
        bp.text = doc.text[bp.offset : bp.offset + int(p["length"])]
        bp.infons.update(p.get("infons", {}))
        bdoc.add_passage(bp)
        passages.append(bp)
    for k, s in enumerate(doc.spans, start=1):
        a = bioc.BioCAnnotation()
        mine = s.meta.get("bioc") or {}
        a.id = str(mine.get("id") or f"T{k}")
        a.infons["type"] = s.label
        a.infons.update(mine.get("infons", {}))
        ids = s.meta.get("pubtator") or ([s.meta["concept"]] if s.meta.get("concept") else [])
        if ids and "identifier" not in a.infons:
            a.infons["identifier"] = ids[0]
            if len(ids) > 1:
                a.infons[EXTRA] = "\t".join(ids[1:])
        for offset, length in mine.get("locations") or [[s.start, s.end - s.start]]:
            a.add_location(bioc.BioCLocation(int(offset), int(length)))
        a.text = doc.text[s.start : s.end]
        owner = next(
            (p for p in passages if p.offset <= s.start and s.end <= p.offset + len(p.text)),
            None,
        )
        (owner or bdoc).add_annotation(a)
    for k, r in enumerate(_relations_of(doc), start=1):
        rel = bioc.BioCRelation()
        rel.id = str(r.get("id") or f"R{k}")
        rel.infons.update(r.get("infons", {}))
        for refid, role in r.get("nodes", []):
            rel.add_node(bioc.BioCNode(refid, role))
        bdoc.add_relation(rel)
    return bdoc


def _passages_of(doc: Document) -> list[dict[str, Any]]:
    info = doc.meta.get("pubtator")
    if isinstance(info, dict) and "title_length" in info:
        t = int(info["title_length"])
        out = [{"offset": 0, "length": t, "infons": {"type": "title"}}]
        if info.get("has_abstract"):
            out.append(
                {"offset": t + 1, "length": len(doc.text) - t - 1, "infons": {"type": "abstract"}}
            )
        return out
    return [{"offset": 0, "length": len(doc.text), "infons": {"type": "text"}}]


def _relations_of(doc: Document) -> list[dict[str, Any]]:
    info = doc.meta.get("bioc")
    if isinstance(info, dict) and "relations" in info:
        return list(info["relations"])
    pub = doc.meta.get("pubtator")
    if isinstance(pub, dict):
        return [
            {"infons": {"type": rel[0], **{f"arg{i}": v for i, v in enumerate(rel[1:], 1)}}}
            for rel in pub.get("relations", [])
            if rel
        ]
    return []


def write_xml(docs: Iterable[Document], out: TextIO) -> int:
    from bioc import biocxml

    out.write(biocxml.dumps(_collection(docs), pretty_print=True))
    return 0


def write_json(docs: Iterable[Document], out: TextIO) -> int:
    from bioc import biocjson

    out.write(biocjson.dumps(_collection(docs), indent=1))
    out.write("\n")
    return 0


def detect_xml(head: list[str]) -> bool:
    joined = " ".join(head[:5])
    return "<collection" in joined or ("<?xml" in joined and "BioC" in joined)


def detect_json(head: list[str]) -> bool:
    """One JSON collection (often pretty-printed): its first lines name its documents."""
    joined = " ".join(line[:4096] for line in head)
    return head[0].lstrip().startswith("{") and (
        '"BioCCollection"' in joined or ('"documents"' in joined and '"passages"' in joined)
    )


XML = Format(
    name="bioc",
    help="BioC XML: passages, annotations with their infons (type, identifier), relations",
    extensions=(".xml", ".bioc"),
    detect=detect_xml,
    stream=stream_xml,
    write=write_xml,
)

JSON = Format(
    name="bioc-json",
    help="BioC JSON: the same model as BioC XML, as one JSON collection",
    extensions=(),
    detect=detect_json,
    stream=stream_json,
    write=write_json,
)
