"""Agreement measures and the adjudication's differences, on hand-made spans."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.core import Span
from workbench.core.tokenize import tokenize
from workbench.ops.agreement import cohen_kappa, overlap_matches
from workbench.session.adjudication import Adjudication
from workbench.store.annotators import Line

TEXT = "Famotidine induced acute renal failure in rats ."


def test_kappa_against_a_worked_example() -> None:
    # 50 items: 20 yes/yes, 15 no/no, 5 yes/no, 10 no/yes -> po 0.7, pe 0.5, kappa 0.4
    a = ["y"] * 20 + ["n"] * 15 + ["y"] * 5 + ["n"] * 10
    b = ["y"] * 20 + ["n"] * 15 + ["n"] * 5 + ["y"] * 10
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(["O"] * 5, ["O"] * 5) is None  # nothing to tell apart: undefined


@given(st.lists(st.sampled_from("OCD"), min_size=1, max_size=40))
def test_kappa_of_identical_annotations_is_one_where_defined(labels: list[str]) -> None:
    k = cohen_kappa(labels, labels)
    assert k is None or k == pytest.approx(1.0)


def test_overlap_matching_is_one_to_one_and_label_aware() -> None:
    a = [Span(0, 10, "Chemical"), Span(19, 38, "Disease")]
    b = [Span(0, 10, "Disease"), Span(25, 38, "Disease"), Span(19, 24, "Disease")]
    assert overlap_matches(a, b) == 1  # famotidine differs in label; failure matches once


def _line(author: str, rev: int) -> Line:
    return Line(author, rev, rev, "accepted")


def test_adjudication_groups_overlapping_differences_and_builds_the_result() -> None:
    from workbench.core import Document

    doc = Document(TEXT, tokenize(TEXT), [])
    ann = [Span(0, 10, "Chemical"), Span(19, 38, "Disease")]
    bob = [Span(0, 10, "Chemical"), Span(25, 38, "Disease"), Span(42, 46, "Chemical")]
    adj = Adjudication.build(1, doc, (_line("ann", 2), ann), (_line("bob", 3), bob), 3)
    assert adj.agreed == [Span(0, 10, "Chemical")]
    assert [(d.start, d.end) for d in adj.differences] == [(19, 38), (42, 46)]
    with pytest.raises(ValueError):
        adj.save("judge")  # two differences open
    adj.take("first")  # acute renal failure, ann's
    assert adj.current == 1  # on to the next open one
    adj.take("both")  # rats: only bob has it
    save = adj.save("judge")
    assert [s.key() for s in save.spans] == [
        (0, 10, "Chemical"),
        (19, 38, "Disease"),
        (42, 46, "Chemical"),
    ]
    assert save.adjudicates == (2, 3) and save.author == "judge" and save.status == "accepted"
    adj.current = 0
    adj.take("neither")
    assert [s.key() for s in adj.spans()] == [(0, 10, "Chemical"), (42, 46, "Chemical")]


def test_the_double_share_is_stable_and_leaves_touched_documents_alone(tmp_path: Path) -> None:
    from tests.conftest import write
    from workbench.ops.importing import import_files
    from workbench.project import init_project
    from workbench.store.annotators import apply_double_share
    from workbench.store.documents import append_revision

    project = init_project(tmp_path / "proj", "Chemical,Disease")
    lines = "".join(f"Sentence number {k} .\n" for k in range(200))
    import_files(project, [write(tmp_path / "pool.txt", lines)], fmt="text", split="pool")
    conn = project.connect()

    def doubles() -> set[int]:
        return {r[0] for r in conn.execute("SELECT id FROM documents WHERE annotators = 2")}

    apply_double_share(conn, 0.25)
    chosen = doubles()
    assert 30 <= len(chosen) <= 70  # a quarter of 200, by a hash
    assert apply_double_share(conn, 0.25) == 0 and doubles() == chosen  # the same ones
    touched = min(chosen)
    append_revision(conn, touched, [], kind="draft", status="draft", author="ann", line=True)
    apply_double_share(conn, 0.0)
    assert doubles() == {touched}  # someone is annotating it on a line: it stays double
    conn.close()
