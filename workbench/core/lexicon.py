"""Suggestions before any model exists: the entities already accepted, found again.

Every accepted entity is a token sequence with a label; a new document gets a
suggestion for every token-aligned occurrence of one (longest match first, the most
frequent label when a sequence was given several). Case is ignored except where it
carries meaning: a token with a capital after its first letter (``NO``, ``ACE``,
``mRNA``) or of one or two letters (``Mg``, ``As``, ``K``) must match exactly, so that
nitric oxide is not found in "no", nor magnesium in "100 mg/kg".

The terms are a trie over tokens: word boundaries by construction, and from each token one
walk down as far as the text follows a term, so a 100,000-term dictionary costs what a
small one does (BENCHMARKS.md, "Lexicon suggestions", beside pyahocorasick).

A user dictionary's names and synonyms join as terms of their label (`add_text`), each with
its concept id: a suggestion carries the id (``meta["concept"]``) when the words it matched
belong to one concept of its label.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.core.concepts import AMBIGUOUS
from workbench.core.document import Document
from workbench.core.spans import Span
from workbench.core.tokenize import words

Key = tuple[str, ...]


def fold(word: str) -> str:
    """A token as the lexicon compares it: case-folded unless its case is meaningful, as in
    a capital inside it (NO, mRNA) or a word of one or two letters (Mg is not mg, As not as).
    Called for every token of every document suggested: ASCII words take a short cut."""
    if len(word) <= 2:
        return word
    if word.isascii():  # lower() changes only A-Z there, as casefold() does
        if word.islower():
            return word
        rest = word[1:]
        return word if rest.lower() != rest else word.lower()
    if any(c.isupper() for c in word[1:]):
        return word
    return word.casefold()


def _top(labels: dict[str, int]) -> str:
    """The most frequent label; on a tie the first learnt (as ``Counter.most_common``)."""
    if len(labels) == 1:
        return next(iter(labels))
    return max(labels, key=labels.__getitem__)


class _Node:
    """A trie node: the tokens that may come next, the labels of the term ending here and,
    for a dictionary's term, its concept id per label (``AMBIGUOUS`` where several)."""

    __slots__ = ("concepts", "labels", "next")

    def __init__(self) -> None:
        self.next: dict[str, _Node] = {}
        self.labels: dict[str, int] | None = None  # label -> times learnt
        self.concepts: dict[str, str] | None = None


class Lexicon:
    def __init__(self) -> None:
        self._root = _Node()
        self._terms = 0

    def __len__(self) -> int:
        return self._terms

    def add(self, doc: Document) -> None:
        """Learn the entities of an accepted document."""
        for span in doc.spans:
            key = [
                fold(doc.text[t.start : t.end])
                for t in doc.tokens
                if t.start >= span.start and t.end <= span.end
            ]
            if key:
                self.add_term(key, span.label)

    def add_term(self, key: Iterable[str], label: str, concept: str | None = None) -> None:
        """One occurrence of a term (its folded tokens) as ``label``; ``concept`` is the
        dictionary's id for it (``AMBIGUOUS`` when it names several concepts). Two terms
        on one key with different ids of one label leave that label without a concept."""
        node = self._root
        for word in key:
            child = node.next.get(word)
            if child is None:
                child = node.next[word] = _Node()
            node = child
        if node.labels is None:
            node.labels = {}
            self._terms += 1
        node.labels[label] = node.labels.get(label, 0) + 1
        if concept is not None:
            if node.concepts is None:
                node.concepts = {}
            known = node.concepts.get(label)
            node.concepts[label] = concept if known in (None, concept) else AMBIGUOUS

    def add_text(self, text: str, label: str, concept: str | None = None) -> None:
        """A term as written (a dictionary's name or synonym), split as documents are."""
        key = [fold(word) for word in words(text)]
        if key:
            self.add_term(key, label, concept)

    def terms(self) -> Iterable[tuple[Key, str]]:
        """Every term with its most frequent label."""
        stack: list[tuple[Key, _Node]] = [((), self._root)]
        while stack:
            key, node = stack.pop()
            if node.labels:
                yield key, _top(node.labels)
            stack.extend(((*key, w), child) for w, child in node.next.items())

    def spans(self, doc: Document) -> list[Span]:
        """The longest term starting at each token, left to right, without overlaps."""
        words = [fold(doc.text[t.start : t.end]) for t in doc.tokens]
        out: list[Span] = []
        i = 0
        while i < len(words):
            node, j, longest = self._root, i, None
            while j < len(words) and (child := node.next.get(words[j])) is not None:
                node, j = child, j + 1
                if node.labels:
                    longest = (j, node.labels, node.concepts)
            if longest is None:
                i += 1
                continue
            end, labels, concepts = longest
            label = _top(labels)
            concept = concepts.get(label) if concepts else None
            meta = {"concept": concept} if concept else {}
            out.append(Span(doc.tokens[i].start, doc.tokens[end - 1].end, label, meta=meta))
            i = end
        return out


def build_lexicon(docs: Iterable[Document]) -> Lexicon:
    lex = Lexicon()
    for doc in docs:
        lex.add(doc)
    return lex
