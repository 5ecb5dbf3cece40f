"""Concept ids in the screen: shown beside their entity, cleared when its label changes (a
Disease must not export the MeSH id of the Chemical it was)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from textual.pilot import Pilot

from tests.conftest import write
from tests.tui.conftest import drive, latest, pool_ids, settle, wait_until
from workbench.ops.exporting import export_project
from workbench.ops.importing import import_files
from workbench.project import init_project
from workbench.tui.screens.concept import ConceptScreen
from workbench.tui.widgets.entity_panel import EntityPanel

PUBTATOR = (
    "8701013|t|Famotidine-associated delirium.\n"
    "8701013|a|A series of six cases.\n"
    "8701013\t0\t10\tFamotidine\tChemical\tD015738\n"
    "8701013\t22\t30\tdelirium\tDisease\tD003693\n"
    "8701013\tCID\tD015738\tD003693\n"
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
        everything = [
            "".join(s.text for s in panel.line_segments(i) or []).strip() for i in range(12)
        ]
        assert "1 relation" in everything and "CID Famotidine → delirium" in everything
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


DICTIONARY = "D015738\tFamotidine\tFamotidin|Pepcid\nD003693\tDelirium\tDeliria\n"


def test_the_dictionary_proposes_ids_and_c_edits_them(tmp_path: Path) -> None:
    from workbench.ops.dictionary import import_dictionary

    project = init_project(tmp_path / "proj", "Chemical,Disease")
    src = write(tmp_path / "cdr.txt", "Famotidine-associated delirium . Famotidine again .\n")
    import_files(project, [src], fmt="text", split="pool")
    import_dictionary(project, write(tmp_path / "chem.tsv", DICTIONARY.splitlines()[0]), "Chemical")
    import_dictionary(
        project, write(tmp_path / "dis.tsv", DICTIONARY.splitlines()[1] + "\n"), "Disease"
    )
    doc = pool_ids(project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await wait_until(lambda: len(screen.suggester.concepts) > 0)
        draft = screen.draft
        assert draft is not None
        # the dictionary's names are suggested with their ids before any model exists
        assert [(e.label, e.concept) for e in draft.entities][:2] == [
            ("Chemical", "D015738"),
            ("Disease", "D003693"),
        ]
        await pilot.press("x")  # remove the suggestion, then label it again by hand
        await pilot.press("1")
        await settle(pilot)
        assert draft.entity_at(0) is not None and draft.entity_at(0).concept == "D015738"
        await pilot.press("c")  # the prompt holds the id; the user gives another one
        await wait_until(lambda: isinstance(pilot.app.screen, ConceptScreen))
        await pilot.press("ctrl+u", *"C000001", "enter")
        await settle(pilot)
        assert draft.entity_at(0).concept == "C000001"  # type: ignore[union-attr]
        await pilot.press("2")  # relabelled: no Disease is named Famotidine, so no id
        await settle(pilot)
        assert draft.entity_at(0).concept is None  # type: ignore[union-attr]
        await pilot.press("1")  # back to Chemical: the dictionary's id again
        await settle(pilot)
        assert draft.entity_at(0).concept == "D015738"  # type: ignore[union-attr]
        await pilot.press("c")
        await wait_until(lambda: isinstance(pilot.app.screen, ConceptScreen))
        await pilot.press("ctrl+u", "-", "enter")  # `-` removes the id
        await settle(pilot)
        assert draft.entity_at(0).concept is None  # type: ignore[union-attr]
        await pilot.press("c")
        await wait_until(lambda: isinstance(pilot.app.screen, ConceptScreen))
        await pilot.press("enter")  # the proposal, taken as it is
        await pilot.press("a")
        await settle(pilot)

    drive(project, body)
    out = tmp_path / "out.pubtator"
    export_project(project, out, fmt="pubtator")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert any(ln.endswith("\tFamotidine\tChemical\tD015738") for ln in lines), lines
    assert any(ln.endswith("\tdelirium\tDisease\tD003693") for ln in lines), lines
    assert latest(project, doc)[0] == "accepted"
