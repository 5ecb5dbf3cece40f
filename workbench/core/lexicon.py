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
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from workbench.core.document import Document
from workbench.core.spans import Span

Key = tuple[str, ...]


def fold(word: str) -> str:
    """A token as the lexicon compares it: case-folded unless its case is meaningful, as in
    a capital inside it (NO, mRNA) or a word of one or two letters (Mg is not mg, As not as)."""
    if len(word) <= 2 or any(c.isupper() for c in word[1:]):
        return word
    return word.casefold()


class _Node:
    """A trie node: the tokens that may come next, and the labels of the term ending here."""

    __slots__ = ("labels", "next")

    def __init__(self) -> None:
        self.next: dict[str, _Node] = {}
        self.labels: Counter[str] | None = None


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

    def add_term(self, key: Iterable[str], label: str) -> None:
        node = self._root
        for word in key:
            node = node.next.setdefault(word, _Node())
        if node.labels is None:
            node.labels = Counter()
            self._terms += 1
        node.labels[label] += 1

    def terms(self) -> Iterable[tuple[Key, str]]:
        """Every term with its most frequent label."""
        stack: list[tuple[Key, _Node]] = [((), self._root)]
        while stack:
            key, node = stack.pop()
            if node.labels:
                yield key, node.labels.most_common(1)[0][0]
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
                    longest = (j, node.labels)
            if longest is None:
                i += 1
                continue
            end, labels = longest
            label = labels.most_common(1)[0][0]
            out.append(Span(doc.tokens[i].start, doc.tokens[end - 1].end, label))
            i = end
        return out


def build_lexicon(docs: Iterable[Document]) -> Lexicon:
    lex = Lexicon()
    for doc in docs:
        lex.add(doc)
    return lex
