"""`workbench import-dict`: a user dictionary of concepts, whose names and synonyms the
annotate screen suggests (with their ids) before any model exists, and whose ids it proposes
for a mention by a normalised match (`core.concepts`).

Two shapes are read, told apart by their header:

- a plain tab-separated file, ``id<TAB>name<TAB>synonyms``, synonyms separated by ``|`` (the
  column may be left out); an ``id  name  synonyms`` header line is allowed, ``#`` lines are
  comments;
- a CTD export (``CTD_chemicals.tsv``, ``CTD_diseases.tsv``, gzipped or not): ``#`` comment
  lines, one of them ``# Fields:`` followed by ``# ChemicalName<TAB>ChemicalID<TAB>...``
  (or ``DiseaseName``, ``DiseaseID``); the name, id and synonym columns are found by name.

An id written ``MESH:D000082`` is stored as ``D000082``, as PubTator and BC5CDR write it.
Like `import`, a dictionary is all or nothing (a bad line stores nothing and is named with
its line number) and a file is imported once (the same content again is refused).
"""

from __future__ import annotations

import gc
import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.concepts import ConceptIndex, fold_term
from workbench.errors import EmptyInputError, FormatError, ProjectError
from workbench.formats import Source
from workbench.project import Project
from workbench.store import transaction
from workbench.store.dictionary import (
    NewTerm,
    dictionaries_of_content,
    insert_dictionary,
    iter_terms,
)

PLAIN = "tsv"
PLAIN_FORMAT = "id<TAB>name<TAB>synonyms separated by |"
# A CTD export's name column -> its id column and what the file is called
CTD_KINDS = {
    "ChemicalName": ("ChemicalID", "CTD chemicals"),
    "DiseaseName": ("DiseaseID", "CTD diseases"),
}
MESH_PREFIX = "mesh:"


@dataclass
class Entry:
    """A concept as the file gives it: its id, preferred name, and every term (the name
    first, then the synonyms, each once)."""

    concept_id: str
    name: str
    line: int
    terms: dict[str, None] = field(default_factory=dict)  # an ordered set


@dataclass
class DictionaryFile:
    path: Path
    kind: str  # "tsv", "CTD chemicals", "CTD diseases"
    content_hash: str
    entries: dict[str, Entry] = field(default_factory=dict)  # by id, in file order

    def terms(self) -> list[NewTerm]:
        """The rows to store: one per term that has something to match (not "-" alone)."""
        out = []
        for e in self.entries.values():
            for term in e.terms:
                folded = fold_term(term)
                if folded:
                    out.append(NewTerm(e.concept_id, e.name, term, folded))
        return out


@dataclass(frozen=True)
class DictionaryImport:
    dictionary_id: int
    path: Path
    kind: str
    label: str
    concepts: int
    terms: int


@dataclass(frozen=True)
class _Columns:
    """Where a CTD export keeps the id, the name and the synonyms of a concept."""

    kind: str
    name: int
    name_field: str
    id: int
    id_field: str
    synonyms: int | None


def _ctd_columns(header: list[str], path: Path, line: int) -> _Columns:
    for name_field, (id_field, kind) in CTD_KINDS.items():
        if name_field in header:
            if id_field not in header:
                raise FormatError(f"a {kind} header without {id_field}", path, line)
            synonyms = header.index("Synonyms") if "Synonyms" in header else None
            return _Columns(
                kind,
                header.index(name_field),
                name_field,
                header.index(id_field),
                id_field,
                synonyms,
            )
    shown = ", ".join(h for h in header[:4] if h)
    raise FormatError(
        f"a CTD export of a kind not read here (fields {shown}, ...): chemicals "
        "(ChemicalName, ChemicalID, Synonyms) and diseases (DiseaseName, DiseaseID, Synonyms) are",
        path,
        line,
    )


def _concept_id(raw: str) -> str:
    """``MESH:D000082`` is ``D000082``, as PubTator writes it; other prefixes (``OMIM:``) stay."""
    n = len(MESH_PREFIX)
    return raw[n:].strip() if raw[:n].casefold() == MESH_PREFIX else raw


def read_dictionary(path: Path) -> DictionaryFile:
    """Every line read and checked; a bad one is a `FormatError` naming its line."""
    if not path.exists():
        raise FormatError("no such file", path)
    digest = hashlib.sha1(usedforsecurity=False)  # of the text, so .gz and plain are one file
    parsed = DictionaryFile(path, PLAIN, "")
    columns: _Columns | None = None
    fields_next = False  # the line after CTD's "# Fields:" names the columns
    first_row = True
    anything = False
    for line in Source.of(path).lines("file"):
        text = line.text
        digest.update(text.encode("utf-8") + b"\n")
        if not text.strip():
            continue
        anything = True
        if text.startswith("#"):
            if first_row:  # a header comment: CTD's column names are one of them
                header = [h.strip() for h in text[1:].split("\t")]
                if not any(header):
                    continue  # a bare "#"
                if header[0].rstrip(":").casefold() == "fields":
                    fields_next = True
                    continue
                if fields_next or any(h in CTD_KINDS for h in header):
                    columns = _ctd_columns(header, path, line.number)
                    parsed.kind = columns.kind
                fields_next = False
            continue
        fields = text.split("\t")
        if columns is None:
            if first_row and [f.strip().casefold() for f in fields[:2]] == ["id", "name"]:
                first_row = False
                continue  # a header line
            first_row = False
            concept_id, name, synonyms = _plain_row(fields, path, line.number)
            id_field, name_field = "column 1", "column 2"
        else:
            first_row = False
            if len(fields) <= max(columns.id, columns.name):
                raise FormatError(
                    f"{_columns(len(fields))}, too few for {columns.id_field} (column "
                    f"{columns.id + 1}) and {columns.name_field} (column {columns.name + 1})",
                    path,
                    line.number,
                )
            concept_id, name = fields[columns.id].strip(), fields[columns.name].strip()
            s = columns.synonyms
            synonyms = fields[s] if s is not None and s < len(fields) else ""
            id_field, name_field = columns.id_field, columns.name_field
        if not concept_id:
            raise FormatError(f"no concept id ({id_field} is empty)", path, line.number)
        concept_id = _concept_id(concept_id)
        if not concept_id:
            raise FormatError(f"no concept id after {MESH_PREFIX.upper()}", path, line.number)
        if not name:
            raise FormatError(
                f"no name for {concept_id} ({name_field} is empty)", path, line.number
            )
        entry = parsed.entries.get(concept_id)
        if entry is None:  # an id on several lines is one concept: the first name is its name
            entry = parsed.entries[concept_id] = Entry(concept_id, name, line.number)
        entry.terms[name] = None
        for synonym in synonyms.split("|"):
            if synonym := synonym.strip():
                entry.terms[synonym] = None
    if not anything:
        raise EmptyInputError("the file is empty", path)
    if not parsed.entries:
        raise EmptyInputError(
            f"no concepts in the file, only comments (a line is {PLAIN_FORMAT})", path
        )
    parsed.content_hash = digest.hexdigest()
    return parsed


def _plain_row(fields: list[str], path: Path, number: int) -> tuple[str, str, str]:
    if len(fields) < 2:
        raise FormatError(
            f"one column only: a line is {PLAIN_FORMAT} (tabs between the columns)",
            path,
            number,
        )
    if any(f.strip() for f in fields[3:]):
        raise FormatError(f"{_columns(len(fields))}: a line is {PLAIN_FORMAT}", path, number)
    return fields[0].strip(), fields[1].strip(), fields[2] if len(fields) > 2 else ""


def _columns(n: int) -> str:
    return "1 column" if n == 1 else f"{n} columns"


def import_dictionary(project: Project, path: Path, label: str) -> DictionaryImport:
    """Read and check the whole file, then store it in one transaction as concepts of
    ``label``."""
    labels = project.config.label_names
    if label not in labels:
        raise ProjectError(
            f"label {label!r} is not one of the project's labels ({', '.join(labels)})"
        )
    parsed = read_dictionary(path)
    terms = parsed.terms()
    conn = project.connect()
    try:
        with transaction(conn):
            earlier = dictionaries_of_content(conn, parsed.content_hash)
            if earlier:
                first = earlier[0]
                raise FormatError(
                    f"this file was imported before (dictionary {first.id}, as {first.label}, "
                    f"from {first.source}); nothing was changed",
                    path,
                )
            record = insert_dictionary(
                conn,
                source=str(path),
                label=label,
                entries=len(parsed.entries),
                terms=terms,
                content_hash=parsed.content_hash,
            )
    finally:
        conn.close()
    return DictionaryImport(record.id, path, parsed.kind, label, record.entries, record.terms)


def load_concept_index(conn: sqlite3.Connection) -> ConceptIndex:
    """Every dictionary of the project, ready for look-ups (folded forms come stored)."""
    with acyclic():
        return ConceptIndex.build(iter_terms(conn))


@contextmanager
def acyclic() -> Iterator[None]:
    """The cyclic garbage collector paused while a dictionary's index and lexicon are built:
    some 500,000 objects for 100,000 terms, none in a cycle, and every full collection on the
    way scanned the whole heap for nothing (it made a load up to twice as slow)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
