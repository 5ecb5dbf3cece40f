"""Overlapping entities (nested or crossing mentions): seen in the screen, made with `o` and
a label key, removed innermost first, and kept by every format that can hold them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.conftest import write
from tests.tui.conftest import drive, latest, pool_ids, settle
from workbench.ops.exporting import export_project
from workbench.ops.importing import import_files
from workbench.project import Project, init_project
from workbench.tui.widgets.document_view import DocumentView
from workbench.tui.widgets.entity_panel import EntityPanel

TEXT = "Famotidine induced acute renal failure in rats ."
# "acute renal failure" holds "renal failure": two layers over "renal failure"
NESTED = [
    {"start": 0, "end": 10, "label": "Chemical"},
    {"start": 19, "end": 38, "label": "Disease"},
    {"start": 25, "end": 38, "label": "Disease"},
]


def _project(tmp_path: Path, entities: list[dict[str, object]]) -> Project:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    row = {"id": "d1", "text": TEXT, "entities": entities}
    src = write(tmp_path / "in.jsonl", json.dumps(row) + "\n")
    import_files(project, [src], fmt="jsonl", split="pool", gold=False)
    return project


def _panel(panel: EntityPanel) -> str:
    return "\n".join("".join(s.text for s in panel.line_segments(i) or []) for i in range(8))


def test_overlapping_entities_are_seen_made_and_removed(tmp_path: Path) -> None:
    project = _project(tmp_path, NESTED)
    doc = pool_ids(project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        panel = screen.query_one("#entities", EntityPanel)
        view = screen.query_one("#doc", DocumentView)
        assert "Disease+" in _panel(panel) and "Chemical+" not in _panel(panel)
        styles = view._styles_of(screen.draft)  # type: ignore[arg-type]
        assert all(styles[i].italic and styles[i].underline for i in (3, 4))  # renal failure
        assert not styles[2].italic  # "acute": one layer
        # "induced acute renal failure": a Disease over the ones there, not replacing them
        await pilot.press("right", "L", "L", "L", "o", "2")
        await settle(pilot)
        assert len(screen.draft.entities) == 4  # type: ignore[union-attr]
        # `x` on "renal" removes the innermost entity there: "renal failure"
        assert screen.draft.cursor == 4  # type: ignore[union-attr]
        await pilot.press("left", "x")
        await settle(pilot)

    drive(project, body)
    spans = latest(project, doc)[2]
    assert [(t, lab) for t, lab, _ in spans] == [
        ("Famotidine", "Chemical"),
        ("induced acute renal failure", "Disease"),
        ("acute renal failure", "Disease"),
    ]


def test_a_label_key_without_o_still_replaces_what_it_overlaps(tmp_path: Path) -> None:
    project = _project(tmp_path, NESTED[:2])
    doc = pool_ids(project)[0]

    async def body(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("right", "right", "L", "L", "L", "2")  # "acute renal failure in"
        await settle(pilot)

    drive(project, body)
    assert [t for t, _, _ in latest(project, doc)[2]] == ["Famotidine", "acute renal failure in"]


@pytest.mark.parametrize("fmt", ["jsonl", "pubtator", "bioc", "bioc-json", "brat"])
def test_every_format_with_room_for_them_keeps_overlapping_entities(
    tmp_path: Path, fmt: str
) -> None:
    project = _project(tmp_path, NESTED)
    out = tmp_path / ("out" if fmt == "brat" else f"out.{fmt}")
    export_project(project, out, fmt=fmt)
    again = init_project(tmp_path / "again", "Chemical,Disease")
    import_files(again, [out], fmt=fmt, split="pool", gold=False)
    got = sorted((s[0], s[1]) for s in latest(again, pool_ids(again)[0])[2])
    assert got == sorted(
        [
            ("Famotidine", "Chemical"),
            ("acute renal failure", "Disease"),
            ("renal failure", "Disease"),
        ]
    )


def test_the_flat_formats_say_what_they_drop(tmp_path: Path) -> None:
    project = _project(tmp_path, NESTED)
    result = export_project(project, tmp_path / "out.conll", fmt="conll")
    assert result.dropped == 1  # "renal failure" inside "acute renal failure"
