"""brat standoff: a directory of ``NAME.txt`` documents, each with ``NAME.ann`` beside it.

Read: text-bound annotations (``T1<TAB>Chemical 0 10<TAB>Famotidine``; a discontinuous one,
``0 5;9 12``, is kept as its total extent with its fragments in the entity's meta), concept
ids from normalisations (``N1<TAB>Reference T1 MESH:D015738``) and relations
(``R1<TAB>CID Arg1:T1 Arg2:T2``); other lines (events, attributes, notes) are kept as they
were. Written: the same, one pair of files per document, named by its id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from workbench.core import Document, Span, tokenize
from workbench.core.tokenize import tokenize_around
from workbench.errors import FormatError
from workbench.formats.base import ReadOptions, Source, check_label
from workbench.formats.registry import Format

_T = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
_N = re.compile(r"^(N\d+)\t(\S+) (T\d+) (\S+)(?:\t(.*))?$")
_R = re.compile(r"^(R\d+)\t(\S+) (\S+):(T\d+) (\S+):(T\d+)\s*$")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def is_brat_dir(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.ann"))


def read_dir(path: Path, opts: ReadOptions) -> dict[str, list[Document]]:
    """Every ``.txt`` with its ``.ann`` (an absent ``.ann``: no entities), by name."""
    texts = sorted(path.glob("*.txt"))
    if not texts:
        raise FormatError("a brat directory with no .txt documents", path)
    return {"*": [_document(t, opts) for t in texts]}


def _document(txt: Path, opts: ReadOptions) -> Document:
    text = Source.of(txt).text()
    ann = txt.with_suffix(".ann")
    spans: dict[str, Span] = {}
    order: list[str] = []
    concepts: dict[str, list[str]] = {}
    relations: list[list[str]] = []
    other: list[str] = []
    lines = Source.of(ann).lines() if ann.is_file() and ann.stat().st_size else iter(())
    for line in lines:
        if not line.text.strip():
            continue
        if m := _T.match(line.text):
            ident, label, frags, mention = m.groups()
            parts = [tuple(int(x) for x in f.split()) for f in frags.split(";")]
            start, end = min(a for a, _ in parts), max(b for _, b in parts)
            if not 0 <= start < end <= len(text):
                raise FormatError(
                    f"{ident} at {start}..{end} lies outside the text", ann, line.number
                )
            covered = " ".join(text[a:b] for a, b in parts)
            if mention != covered:
                raise FormatError(
                    f"{ident} text {mention!r} differs from the document ({covered!r})",
                    ann,
                    line.number,
                )
            check_label(label, opts.labels, ann, line.number)
            meta: dict[str, Any] = {"brat": {"id": ident}}
            if len(parts) > 1:
                meta["brat"]["fragments"] = [list(p) for p in parts]
            spans[ident] = Span(start, end, label, meta=meta)
            order.append(ident)
        elif m := _N.match(line.text):
            concepts.setdefault(m.group(3), []).append(m.group(4))
        elif m := _R.match(line.text):
            relations.append([m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)])
        elif line.text[:1] in "EAM#*":
            other.append(line.text)
        else:
            raise FormatError("not a brat annotation line", ann, line.number)
    out = []
    for ident in order:
        s = spans[ident]
        if ident in concepts:
            s = Span(s.start, s.end, s.label, meta={**s.meta, "concept": "|".join(concepts[ident])})
        out.append(s)
    for ref in concepts:
        if ref not in spans:
            raise FormatError(f"a normalisation refers to {ref}, which is not an entity", ann)
    meta = {"brat": {"relations": relations, "other": other}}
    tokens = tokenize_around(text, out) if opts.align_tokens else tokenize(text)
    return Document(text, tokens, out, external_id=txt.stem, meta=meta, source=str(txt))


def write_dir(
    docs_by_split: Mapping[str, Sequence[Document]], labels: Sequence[str], out: Path
) -> int:
    out.mkdir(parents=True)
    used: set[str] = set()
    n = 0
    for docs in docs_by_split.values():
        for doc in docs:
            n += 1
            name = _SAFE.sub("_", doc.external_id or f"doc{n}") or f"doc{n}"
            while name in used:
                name += "_"
            used.add(name)
            (out / f"{name}.txt").write_text(doc.text, encoding="utf-8", newline="")
            (out / f"{name}.ann").write_text(_ann(doc), encoding="utf-8", newline="\n")
    return 0


def _ann(doc: Document) -> str:
    lines = []
    ids: dict[str, str] = {}
    for k, s in enumerate(doc.spans, start=1):
        old = (s.meta.get("brat") or {}).get("id")
        ident = f"T{k}"
        if old:
            ids[old] = ident
        frags = (s.meta.get("brat") or {}).get("fragments") or [[s.start, s.end]]
        where = ";".join(f"{a} {b}" for a, b in frags)
        mention = " ".join(doc.text[a:b] for a, b in frags).replace("\n", " ")
        lines.append(f"{ident}\t{s.label} {where}\t{mention}")
    normalised = 0
    for k, s in enumerate(doc.spans, start=1):
        concept = s.meta.get("concept")
        if concept is None and s.meta.get("pubtator"):
            concept = s.meta["pubtator"][0]
        for c in str(concept).split("|") if concept else []:
            normalised += 1
            lines.append(f"N{normalised}\tReference T{k} {c}\t{doc.text[s.start : s.end]}")
    info = doc.meta.get("brat") or {}
    for k, (kind, role1, a, role2, b) in enumerate(info.get("relations", []), start=1):
        if a in ids and b in ids:
            lines.append(f"R{k}\t{kind} {role1}:{ids[a]} {role2}:{ids[b]}")
    lines += info.get("other", [])
    return "\n".join(lines) + ("\n" if lines else "")


FORMAT = Format(
    name="brat",
    help="brat standoff: a directory of NAME.txt + NAME.ann (T, N and R lines)",
    read_dir=read_dir,
    write_dir=write_dir,
    is_dir=is_brat_dir,
)
