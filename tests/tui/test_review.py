"""`annotate --review`: documents already accepted, filtered, corrected in place; skipping
one leaves it as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.conftest import query, write
from tests.tui.conftest import drive, latest, settle
from workbench.ops.importing import import_files
from workbench.project import Project, init_project
from workbench.session.state import Review

TRAIN = (
    "Aspirin\tB-Chemical\nhelps\tO\n.\tO\n\n"
    "Headache\tB-Disease\nhurts\tO\n.\tO\n\n"
    "Lithium\tB-Chemical\nand\tO\nfever\tB-Disease\n.\tO\n"
)


def _project(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    import_files(project, [write(tmp_path / "train.tsv", TRAIN)], fmt="conll", split="train")
    import_files(project, [write(tmp_path / "pool.txt", "Aspirin again.\n")], fmt="text")
    return project


def test_review_corrects_accepted_documents_and_skip_leaves_them(tmp_path: Path) -> None:
    project = _project(tmp_path)

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        session = screen.session
        assert session.order == [1, 3]  # the train documents with a Chemical, not the pool
        await pilot.press("2")  # Aspirin: Chemical -> Disease, saved as an accepted revision
        await settle(pilot)
        assert latest(project, 1)[:3] == (
            "accepted",
            "accepted",
            [("Aspirin", "Disease", "changed")],
        )
        await pilot.press("enter")  # accepted already: nothing new saved, the next one opens
        await settle(pilot)
        assert screen.draft is not None and screen.draft.doc_id == 3
        await pilot.press("s")  # skip in a review: the document stays accepted
        await settle(pilot)
        assert latest(project, 3)[:2] == ("accepted", "gold")
        assert "Reviewed all 2 documents (accepted in train with Chemical)" in session.notice()

    drive(project, body, review=Review(("train",), ("accepted",), "Chemical"), annotator="ana")
    authors = query(project.db_path, "SELECT author FROM annotations WHERE document_id = 1")
    assert authors[-1] == ("ana",)
    assert query(project.db_path, "SELECT COUNT(*) FROM annotations WHERE document_id = 1") == [
        (2,)
    ]


def test_review_filters_are_checked(cli: Callable[..., Any]) -> None:
    res = cli("annotate", "--split", "train")
    assert res.exit_code == 1 and "filter a --review" in res.output
    res = cli("annotate", "--review", "--label", "Gene")
    assert res.exit_code == 1 and "unknown label 'Gene'" in res.output
    res = cli("annotate", "--review", "--status", "done")
    assert res.exit_code == 2
