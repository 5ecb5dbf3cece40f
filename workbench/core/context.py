"""The running text around a sentence that came as a document of its own.

A CoNLL or HF file without ``-DOCSTART-`` (BC5CDR's and NCBI-disease's tsv files) is a text
cut into sentences, and each sentence becomes a document. A model that reads each sentence
with the text around it (`train --context`) then finds that text in the neighbouring
documents: the sentences before and after it in the file. This module gives each such
document its neighbours' words (`Document.context`), for the project's splits and for a
file given to `tag` alike, so that training, evaluation and tagging read the same windows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from workbench.core.document import Document


def is_running_sentence(doc: Document) -> bool:
    """One sentence, from a format that brings its sentences, with no document id."""
    return doc.presplit and not doc.external_id and not doc.sentence_breaks()


def with_running_context(
    docs: Iterable[Document],
    words: int,
    before: Iterable[Document] = (),
    after: Iterable[Document] = (),
) -> Iterator[Document]:
    """The documents, in order, each running sentence given up to ``words`` words of its
    neighbours on each side; any other document ends the run. A stream: it holds back only
    the few sentences that the one it yields next needs as its right context.

    ``before`` and ``after`` are the documents around ``docs`` in their file (a shard of a
    cut file): read for context only, never yielded, so a shard's first and last sentences
    read what they read in the file whole; each is read only when a running sentence at
    that end needs it, ``after`` only as far as needed."""
    if words <= 0:
        yield from docs
        return
    left: deque[str] = deque(maxlen=words)
    opening = True  # no document yielded yet: a running sentence continues ``before``
    pending: deque[tuple[Document, list[str]]] = deque()

    def emit(tail: list[str]) -> Document:
        doc, own = pending.popleft()
        right: list[str] = []
        for _, w in pending:
            if len(right) >= words:
                break
            right += w
        doc.context = (list(left), (right + tail)[:words])
        left.extend(own)
        return doc

    for doc in docs:
        if not is_running_sentence(doc):
            while pending:
                yield emit([])
            left.clear()
            opening = False
            yield doc
            continue
        if opening:
            left.extend(_closing_words(before, words))
            opening = False
        pending.append((doc, doc.token_texts()))
        while len(pending) > 1 and sum(len(w) for _, w in list(pending)[1:]) >= words:
            yield emit([])
    tail = _leading_words(after, words) if pending else []
    while pending:
        yield emit(tail)


def _closing_words(docs: Iterable[Document], words: int) -> list[str]:
    """The last ``words`` words of the running sentences that close ``docs``."""
    last: deque[str] = deque(maxlen=words)
    for doc in docs:
        if is_running_sentence(doc):
            last.extend(doc.token_texts())
        else:
            last.clear()
    return list(last)


def _leading_words(docs: Iterable[Document], words: int) -> list[str]:
    """The first ``words`` words of the running sentences that open ``docs``."""
    out: list[str] = []
    stream = iter(docs)
    while len(out) < words:
        doc = next(stream, None)
        if doc is None or not is_running_sentence(doc):
            break
        out += doc.token_texts()
    return out[:words]
