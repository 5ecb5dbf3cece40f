"""Two annotators on 20 BC5CDR abstracts: each annotates blind on a line of their own, the
agreement table compares them, the adjudication screen settles their differences by key,
and the export holds the adjudicated entities."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
from pathlib import Path

from tests.conftest import BC5CDR, query, write
from tests.tui.conftest import wait_until
from workbench.cli import app
from workbench.core import Document
from workbench.core.tokenize import token_span
from workbench.formats import ReadOptions, Source, get
from workbench.formats.registry import read_source
from workbench.ops.importing import import_files
from workbench.project import CONFIG_NAME, Project, find_project, init_project, render_config
from workbench.session.state import Session
from workbench.session.writer import RevisionWriter
from workbench.store.annotators import awaiting_adjudication
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.adjudicate import AdjudicateScreen

PUBTATOR = BC5CDR / "CDR_TestSet.PubTator.txt"


def gold_docs() -> list[Document]:
    """The first 20 abstracts of the BC5CDR test set, with their gold entities."""
    return list(read_source(get("pubtator"), Source.of(PUBTATOR), ReadOptions()))[:20]


def double_project(tmp_path: Path, share: float = 1.0) -> tuple[Project, list[Document]]:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    cfg = dataclasses.replace(project.config, double_annotation=share)
    (project.root / CONFIG_NAME).write_text(render_config(cfg), "utf-8")
    project = find_project(project.root)
    gold = gold_docs()
    plain = "".join(
        json.dumps({"id": d.external_id, "text": d.text}) + "\n" for d in gold
    )  # the text only: the annotators start from nothing
    import_files(project, [write(tmp_path / "pool.jsonl", plain)], fmt="jsonl", split="pool")
    return project, gold


def annotate_all(project: Project, who: str, gold: dict[str, Document], vary: bool) -> int:
    """One annotator's session over their queue, through the session's own methods."""
    conn = project.connect()
    failures: list[str] = []
    writer = RevisionWriter(project.db_path, lambda s, e: failures.append(f"{s}: {e}"))
    session = Session(project, conn, who)
    done = 0
    try:
        while not session.finished and not session.empty:
            draft = session.draft()
            for k, span in enumerate(gold[str(draft.doc.external_id)].spans):
                if vary and k % 5 == 4:
                    continue  # the second annotator misses every fifth entity
                label = span.label
                if vary and k % 7 == 6:
                    label = "Disease" if label == "Chemical" else "Chemical"
                first, last = token_span(draft.doc.tokens, span.start, span.end) or (0, 0)
                if vary and k % 6 == 3 and last > first:
                    last -= 1  # and leaves a word out of some
                draft.move_to(first)
                draft.move_to(last, extend=True)
                save = session.edit(draft, lambda d=draft, lab=label: d.label(lab))  # type: ignore[misc]
                if save is not None:
                    writer.save(save)
            save = session.close_document(draft, "accepted")
            if save is not None:
                writer.save(save)
            done += 1
            session.go_next_todo()
        writer.flush()
    finally:
        writer.close()
        conn.close()
    if failures:
        raise AssertionError(f"{len(failures)} saves failed; the first: {failures[0]}")
    return done


def test_two_annotators_agreement_adjudication_and_export(tmp_path: Path) -> None:
    project, gold_docs = double_project(tmp_path)
    gold = {str(d.external_id): d for d in gold_docs}

    assert annotate_all(project, "ann", gold, vary=False) == 20
    # blind: the second annotator opens every document as imported, without ann's entities
    conn = project.connect()
    first = Session(project, conn, "bob").draft()
    assert first.entities == [] and first.status == "new" and first.line
    conn.close()
    assert annotate_all(project, "bob", gold, vary=True) == 20
    # a third annotator has nothing to do: each document had its two annotators
    conn = project.connect()
    assert Session(project, conn, "cat").empty
    waiting = awaiting_adjudication(conn)
    conn.close()
    assert 0 < len(waiting) <= 20
    statuses = dict(query(project.db_path, "SELECT status, COUNT(*) FROM documents GROUP BY 1"))
    # documents where bob happened to match ann are accepted; the others wait, as drafts
    assert statuses.get("draft", 0) == len(waiting)
    assert statuses.get("accepted", 0) == 20 - len(waiting)

    from typer.testing import CliRunner

    runner = CliRunner()
    res = runner.invoke(app, ["-P", str(project.root), "agreement"])
    assert res.exit_code == 0, res.output
    assert "ann / bob" in res.output and "Chemical" in res.output and "kappa" in res.output
    res = runner.invoke(app, ["-P", str(project.root), "agreement", "--json"])
    rows = [json.loads(line) for line in res.output.splitlines()]
    overall = next(r for r in rows if r["label"] == "all")
    n_gold = sum(len(d.spans) for d in gold_docs)
    assert overall["spans_first"] == n_gold and overall["spans_second"] < n_gold
    assert 0.5 < overall["exact_f1"] < overall["overlap_f1"] < 1.0
    assert 0.5 < overall["kappa"] < 1.0

    async def adjudicate() -> None:
        wb = WorkbenchApp(project, annotator="judge", adjudicate=True)
        async with wb.run_test(size=(160, 45)) as pilot:
            screen = wb.screen
            assert isinstance(screen, AdjudicateScreen)
            for _ in waiting:
                adj = screen.current
                assert adj is not None and adj.differences
                await pilot.press("enter")  # refused: differences are open
                await pilot.pause()
                assert screen.current is adj
                while adj.open:
                    await pilot.press("1")  # take the left side: ann's
                await pilot.press("enter")
                await pilot.pause()
            await wait_until(lambda: screen.current is None)
            screen.writer.flush()

    asyncio.run(adjudicate())
    conn = sqlite3.connect(project.db_path)
    assert (
        conn.execute("SELECT COUNT(*) FROM documents WHERE status != 'accepted'").fetchone()[0] == 0
    )
    judged = conn.execute(
        "SELECT COUNT(*) FROM annotations WHERE author = 'judge' AND adjudicates IS NOT NULL"
    ).fetchone()[0]
    conn.close()
    assert judged == len(waiting)

    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["-P", str(project.root), "export", str(out), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    exported = {
        r["id"]: sorted((e["start"], e["end"], e["label"]) for e in r["entities"])
        for r in map(json.loads, out.read_text("utf-8").splitlines())
    }
    assert exported == {k: sorted(s.key() for s in d.spans) for k, d in gold.items()}
    # agreement still compares what each did alone, not the adjudication
    res = runner.invoke(app, ["-P", str(project.root), "agreement", "--json"])
    again = next(r for r in map(json.loads, res.output.splitlines()) if r["label"] == "all")
    assert again == overall
