"""Concept ids in the screen: shown beside their entity, cleared when its label changes (a
Disease must not export the MeSH id of the Chemical it was)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from textual.pilot import Pilot

from tests.conftest import write
from tests.tui.conftest import drive, latest, pool_ids, settle
from workbench.ops.exporting import export_project
from workbench.ops.importing import import_files
from workbench.project import init_project
from workbench.tui.widgets.entity_panel import EntityPanel

PUBTATOR = (
    "8701013|t|Famotidine-associated delirium.\n"
    "8701013|a|A series of six cases.\n"
    "8701013\t0\t10\tFamotidine\tChemical\tD015738\n"
    "8701013\t22\t30\tdelirium\tDisease\tD003693\n"
)


def test_concept_ids_are_shown_and_cleared_on_relabel(tmp_path: Path) -> None:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    src = write(tmp_path / "cdr.pubtator", PUBTATOR)
    import_files(project, [src], fmt="pubtator", split="pool", gold=False)
    doc = pool_ids(project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        panel = screen.query_one("#entities", EntityPanel)
        rows = ["".join(s.text for s in panel.line_segments(i) or []) for i in range(4)]
        assert "concept" in rows[1] and "D015738" in rows[2] and "D003693" in rows[3]
        await pilot.press("2")  # Famotidine (under the cursor) becomes a Disease
        await settle(pilot)
        rows = ["".join(s.text for s in panel.line_segments(i) or []) for i in range(4)]
        assert "D015738" not in "".join(rows) and "D003693" in rows[3]

    drive(project, body)
    assert latest(project, doc)[2][0] == ("Famotidine", "Disease", "changed")
    conn = sqlite3.connect(project.db_path)
    sql = "SELECT meta FROM spans WHERE text = 'Famotidine' ORDER BY id DESC"
    meta = json.loads(conn.execute(sql).fetchone()[0])
    conn.close()
    assert meta["concept_cleared"] == "D015738" and "pubtator" not in meta
    out = tmp_path / "out.pubtator"
    export_project(project, out, fmt="pubtator")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "8701013\t0\t10\tFamotidine\tDisease" in lines  # no stale id after it
    assert "8701013\t22\t30\tdelirium\tDisease\tD003693" in lines  # untouched: kept
