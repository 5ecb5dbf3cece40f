"""Concepts of a user dictionary (MeSH, CTD, any id with names and synonyms), found by a
normalised match of a mention's text: the ids the annotate screen proposes.

A term matches when its folded form equals the mention's: Unicode NFKC, case-folded, every
run of characters that are not letters or digits one space ("Gentamicin-induced
Nephropathy" is "gentamicin induced nephropathy"). Folding is done once per term when a
dictionary is imported and stored beside it, so building the index from the database is
dictionary look-ups only: 100,000 terms in a fraction of a second.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\W_]+")
# The lexicon's concept for a term that names several concepts of one label: none proposed.
AMBIGUOUS = ""


def fold_term(text: str) -> str:
    """A term as matching compares it. NFKC twice around the case-fold, because folding
    can undo a composition (so folding a folded term changes nothing)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return _SEPARATORS.sub(" ", folded).strip()


@dataclass(frozen=True, slots=True)
class Concept:
    id: str
    name: str  # the preferred name


def _ordered(concepts: Iterable[Concept], folded: str) -> list[Concept]:
    """The concept whose preferred name this is first, then by id: the same order on
    every load, whatever order the dictionaries were imported in."""
    return sorted(concepts, key=lambda c: (fold_term(c.name) != folded, c.id))


class ConceptIndex:
    """Every term of the project's dictionaries, by label and folded form.

    Built once (off the screen's thread), then only read: ``lookup`` is one fold and two
    dictionary look-ups, cheap enough for every suggestion of every document."""

    def __init__(self) -> None:
        # label -> folded term -> its concept, or its concepts in lookup order when several
        self._matches: dict[str, dict[str, Concept | list[Concept]]] = {}
        self._concepts: dict[str, dict[str, Concept]] = {}  # label -> id -> one object each
        self._terms: list[Sequence[str]] = []  # (label, id, name, term, folded) rows

    @classmethod
    def build(cls, rows: Iterable[Sequence[str]]) -> ConceptIndex:
        """From ``(label, concept_id, name, term)`` rows, or ``(..., folded)`` where the
        folded form was stored (then nothing is folded again). Per-label dictionaries keyed
        by plain strings, and the rows kept as given: 100,000 terms make few new objects."""
        index = cls()
        terms = index._terms
        several: dict[tuple[str, str], dict[str, Concept]] = {}  # by id: no quadratic dedup
        label = None
        by_term: dict[str, Concept | list[Concept]] = {}
        by_id: dict[str, Concept] = {}
        for row in rows:
            if row[0] != label:  # rows come label by label: a switch is rare
                label = row[0]
                by_term = index._matches.setdefault(label, {})
                by_id = index._concepts.setdefault(label, {})
            if len(row) > 4:
                folded = row[4]
            else:
                folded = fold_term(row[3])
                row = (row[0], row[1], row[2], row[3], folded)
            if not folded:
                continue  # nothing to match ("+", "-")
            concept_id = row[1]
            concept = by_id.get(concept_id)
            if concept is None:
                concept = by_id[concept_id] = Concept(concept_id, row[2])
            terms.append(row)
            found = by_term.get(folded)
            if found is None:
                by_term[folded] = concept
            elif found is not concept:  # one object per concept: identity is equality
                group = several.get((label, folded))
                if group is None:
                    assert isinstance(found, Concept)  # lists are made after the loop
                    several[label, folded] = {found.id: found, concept_id: concept}
                else:
                    group.setdefault(concept_id, concept)
        for (label, folded), group in several.items():
            index._matches[label][folded] = _ordered(group.values(), folded)
        return index

    def __len__(self) -> int:
        """The number of terms (names and synonyms)."""
        return len(self._terms)

    @property
    def concept_count(self) -> int:
        return sum(len(by_id) for by_id in self._concepts.values())

    def _found(self, text: str, label: str) -> Concept | list[Concept] | None:
        by_term = self._matches.get(label)
        return None if by_term is None else by_term.get(fold_term(text))

    def lookup(self, text: str, label: str) -> list[Concept]:
        """The concepts of ``label`` one of whose terms folds as ``text`` does: the one whose
        preferred name it is first, then by id. Empty when none does."""
        found = self._found(text, label)
        if found is None:
            return []
        return [found] if isinstance(found, Concept) else list(found)

    def unique(self, text: str, label: str) -> Concept | None:
        """The one concept of ``label`` that ``text`` names, or None (none, or several)."""
        found = self._found(text, label)
        return found if isinstance(found, Concept) else None

    def terms_for_lexicon(self) -> Iterator[tuple[str, str, str]]:
        """Every term as ``(label, concept_id, term)``, for the suggestions' lexicon; the id
        is ``AMBIGUOUS`` (empty) where the term names several concepts of its label."""
        matches = self._matches
        for row in self._terms:
            unique = isinstance(matches[row[0]][row[4]], Concept)
            yield row[0], row[1] if unique else AMBIGUOUS, row[3]
