"""Suggestions before any model exists: the entities already accepted, found again.

Every accepted entity is a token sequence with a label; a new document gets a
suggestion for every exact, token-aligned occurrence of one (longest match
first, the most frequent label when a sequence was given several).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from workbench.core.document import Document
from workbench.core.spans import Span

Key = tuple[str, ...]


class Lexicon:
    def __init__(self) -> None:
        self._counts: dict[Key, Counter[str]] = {}
        self.max_tokens = 0

    def __len__(self) -> int:
        return len(self._counts)

    def add(self, doc: Document) -> None:
        """Learn the entities of an accepted document."""
        for span in doc.spans:
            key = tuple(
                doc.text[t.start : t.end]
                for t in doc.tokens
                if t.start >= span.start and t.end <= span.end
            )
            if key:
                self._counts.setdefault(key, Counter())[span.label] += 1
                self.max_tokens = max(self.max_tokens, len(key))

    def label_of(self, key: Key) -> str | None:
        counts = self._counts.get(key)
        return None if not counts else counts.most_common(1)[0][0]

    def spans(self, doc: Document) -> list[Span]:
        words = [doc.text[t.start : t.end] for t in doc.tokens]
        out: list[Span] = []
        i = 0
        while i < len(words):
            for n in range(min(self.max_tokens, len(words) - i), 0, -1):
                label = self.label_of(tuple(words[i : i + n]))
                if label is not None:
                    out.append(Span(doc.tokens[i].start, doc.tokens[i + n - 1].end, label))
                    i += n
                    break
            else:
                i += 1
        return out


def build_lexicon(docs: Iterable[Document]) -> Lexicon:
    lex = Lexicon()
    for doc in docs:
        lex.add(doc)
    return lex
