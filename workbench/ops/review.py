"""`annotate --review --disagree`: the documents where the active model and the saved
entities differ, most differences first, so that a reviewer starts with the likeliest
mistakes (the model's, or the annotator's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from workbench.core import Span
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.store.documents import load_revision, running_context

BATCH = 64  # documents per call of the model, between two progress reports


def differences(saved: Sequence[Span], predicted: Sequence[Span]) -> int:
    """Entities one side has and the other lacks (offsets and label compared)."""
    a, b = Counter(s.key() for s in saved), Counter(s.key() for s in predicted)
    return sum(((a - b) + (b - a)).values())


def disagreements(
    project: Project,
    doc_ids: Sequence[int],
    progress: Callable[[int, int], None] = lambda done, total: None,
    device: str = "auto",
) -> list[tuple[int, int]]:
    """(document, differences) where the active model disagrees, most first."""
    model_dir = project.active_model_dir()
    if model_dir is None:
        raise WorkbenchError(
            "--disagree compares with the active model, and there is none yet: "
            "`workbench train` or `retrain` makes one"
        )
    from workbench.model.predict import Tagger

    tagger = Tagger(model_dir, device=device)
    conn = project.connect()
    found: list[tuple[int, int]] = []
    try:
        for k in range(0, len(doc_ids), BATCH):
            chunk = doc_ids[k : k + BATCH]
            docs = [load_revision(conn, d).stored.document for d in chunk]
            for d, doc in zip(chunk, docs, strict=True):
                doc.context = running_context(conn, d, tagger.context)
            for doc_id, doc, pred in zip(chunk, docs, tagger.tag(docs), strict=True):
                n = differences(doc.spans, pred)
                if n:
                    found.append((doc_id, n))
            progress(min(k + BATCH, len(doc_ids)), len(doc_ids))
    finally:
        conn.close()
    return sorted(found, key=lambda x: (-x[1], x[0]))
