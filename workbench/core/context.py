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


def with_running_context(docs: Iterable[Document], words: int) -> Iterator[Document]:
    """The documents, in order, each running sentence given up to ``words`` words of its
    neighbours on each side; any other document ends the run. A stream: it holds back only
    the few sentences that the one it yields next needs as its right context."""
    if words <= 0:
        yield from docs
        return
    before: deque[str] = deque(maxlen=words)
    pending: deque[tuple[Document, list[str]]] = deque()

    def emit() -> Document:
        doc, own = pending.popleft()
        after: list[str] = []
        for _, w in pending:
            if len(after) >= words:
                break
            after += w
        doc.context = (list(before), after[:words])
        before.extend(own)
        return doc

    for doc in docs:
        if not is_running_sentence(doc):
            while pending:
                yield emit()
            before.clear()
            yield doc
            continue
        pending.append((doc, doc.token_texts()))
        while len(pending) > 1 and sum(len(w) for _, w in list(pending)[1:]) >= words:
            yield emit()
    while pending:
        yield emit()
