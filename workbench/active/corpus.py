"""What a round trains on and chooses its model on, read from the project: train and dev.
The test split is never read here: no test document trains a model or chooses one (its
epoch, its promotion); `workbench evaluate --split test` scores a final recipe on it."""

from __future__ import annotations

import random
from dataclasses import dataclass

from workbench.active.trained_on import held_out_for_dev, text_key
from workbench.core import Document
from workbench.core.sentences import sentence_ranges
from workbench.errors import ModelError
from workbench.project import Project
from workbench.store.counts import count_by_split_status
from workbench.store.documents import StoredDocument, document_ids, iter_documents


@dataclass
class Corpus:
    train: list[Document]
    dev: list[Document]
    dev_from_train: bool

    def sizes(self) -> dict[str, int]:
        return {
            "documents": len(self.train),
            "sentences": sum(len(sentence_ranges(d)) for d in self.train),
            "tokens": sum(len(d.tokens) for d in self.train),
        }


def training_documents(project: Project) -> int:
    """Accepted documents of the train split and the pool: what a round trains on."""
    conn = project.connect()
    try:
        counts = count_by_split_status(conn)
    finally:
        conn.close()
    return counts.get(("train", "accepted"), 0) + counts.get(("pool", "accepted"), 0)


def load_corpus(project: Project, context: int = 0) -> Corpus:
    """Train: the train split plus every accepted pool document; dev: the dev split's gold, or
    without one about a tenth of train, the same texts every round, as ``cannot_go_on_from``
    finds them too (``trained_on.held_out_for_dev``). ``context``: words of running text
    around one-sentence documents, for a model reading it."""
    conn = project.connect()
    try:
        stored = list(
            iter_documents(
                conn, splits=["train", "pool"], statuses=["accepted"], context_words=context
            )
        )
        train = [s.document for s in stored]
        # only gold: a dev or test document still to be annotated is not yet a judge
        dev = [
            s.document
            for s in iter_documents(
                conn, splits=["dev"], statuses=["accepted"], context_words=context
            )
        ]
    finally:
        conn.close()
    if not train:
        raise ModelError(
            "nothing to train on: import gold data with `workbench import FILE --split train` "
            "or accept documents in `workbench annotate`"
        )
    known = set(project.config.label_names)
    unknown = sorted({s.label for d in train + dev for s in d.spans} - known)
    if unknown:
        raise ModelError(
            f"the data has labels that workbench.toml does not list ({', '.join(unknown)}); "
            "add them to its [[labels]] to train on them"
        )
    dev_from_train = False
    if not dev:
        if len(train) < 10:
            raise ModelError(
                f"only {len(train)} training documents and no dev split: import one with "
                "`workbench import FILE --split dev` or accept more documents"
            )
        keys = [text_key(s.document.text) for s in stored]
        held = held_out_for_dev(keys)
        dev = [s.document for s, k in zip(stored, keys, strict=True) if k in held]
        train = [s.document for s, k in zip(stored, keys, strict=True) if k not in held]
        dev_from_train = True
    return Corpus(train, dev, dev_from_train)


def unannotated_pool(project: Project, context: int = 0) -> list[StoredDocument]:
    """The pool's documents still to annotate: text without gold that a distillation run
    learns from through its teachers alone."""
    return sample_pool(project, 0, seed=0, context=context).documents


@dataclass
class PoolSample:
    documents: list[StoredDocument]
    total: int  # the pool's documents still to annotate, scored or not


def sample_pool(project: Project, size: int, seed: int, context: int = 0) -> PoolSample:
    """A random ``size`` of the pool's documents still to annotate (all when ``size`` is 0 or
    the pool no larger): only those are read, so a round's cost does not grow with the pool."""
    conn = project.connect()
    try:
        ids = document_ids(conn, splits=["pool"], statuses=["new", "draft"])
        # the whole pool in one pass (its context from each file read once), or the sample
        chosen = random.Random(seed).sample(ids, size) if 0 < size < len(ids) else None
        docs = list(
            iter_documents(
                conn, splits=["pool"], statuses=["new", "draft"], context_words=context, ids=chosen
            )
        )
    finally:
        conn.close()
    return PoolSample(docs, len(ids))
