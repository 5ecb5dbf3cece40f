"""`annotate --review --disagree`: the documents where the active model reads differently
from what was saved, most differences first; and one clear line without a model."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.model.conftest import make_tiny_project
from workbench.cli import app
from workbench.core import Span
from workbench.model.predict import Tagger
from workbench.ops.review import differences, disagreements
from workbench.store.documents import iter_documents
from workbench.tui.app import WorkbenchApp


def test_differences_count_what_one_side_lacks() -> None:
    saved = [Span(0, 4, "Chemical"), Span(10, 14, "Disease")]
    assert differences(saved, saved) == 0
    assert differences(saved, [Span(0, 4, "Disease"), Span(10, 14, "Disease")]) == 2


def test_review_disagree_orders_by_differences(
    tmp_path: Path, tiny_bert: Path, tiny_tagger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_tiny_project(tmp_path, tiny_bert)
    runner = CliRunner()
    res = runner.invoke(app, ["-P", str(project.root), "annotate", "--review", "--disagree"])
    assert res.exit_code != 0 and "no" in res.output and "Traceback" not in res.output
    conn = sqlite3.connect(project.db_path)
    conn.execute(
        "INSERT INTO models (path, base_model, metrics, is_active) VALUES (?, 'tiny', '{}', 1)",
        (str(tiny_tagger),),
    )
    conn.commit()
    conn.close()

    opened: list[WorkbenchApp] = []
    monkeypatch.setattr(WorkbenchApp, "run", lambda self: opened.append(self))
    res = runner.invoke(
        app, ["-P", str(project.root), "annotate", "--review", "--split", "dev", "--disagree"]
    )
    assert res.exit_code == 0, res.output
    review = opened[0].review
    assert review is not None and review.only
    # the order is the model's differences from the saved entities, most first
    conn = project.connect()
    dev = {s.id: s.document for s in iter_documents(conn, splits=["dev"])}
    conn.close()
    tagger = Tagger(tiny_tagger)
    counts = {
        i: differences(doc.spans, pred)
        for (i, doc), pred in zip(dev.items(), tagger.tag(list(dev.values())), strict=True)
    }
    assert list(review.only) == [
        i for i, _ in sorted(((i, n) for i, n in counts.items() if n), key=lambda x: (-x[1], x[0]))
    ]
    assert set(review.only) <= set(dev)  # the split filter holds
    assert disagreements(project, []) == []
