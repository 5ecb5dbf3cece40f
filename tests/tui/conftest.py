"""A small project for the annotate screen: a gold train sentence (the lexicon) and a pool."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.conftest import write
from workbench.ops.importing import import_files
from workbench.project import Project, init_project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.annotate import AnnotateScreen

POOL = [
    "Aspirin causes severe headache in rats .",
    "Naloxone reverses the hypotension induced by clonidine .",
    "Lithium induced nephropathy was seen in two patients .",
]
TRAIN = "Aspirin\tB-Chemical\nhelps\tO\n.\tO\n"


@pytest.fixture
def tui_project(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    import_files(project, [write(tmp_path / "train.tsv", TRAIN)], fmt="conll", split="train")
    import_files(
        project, [write(tmp_path / "pool.txt", "\n".join(POOL) + "\n")], fmt="text", split="pool"
    )
    return project


def latest(project: Project, doc_id: int) -> tuple[str, str, list[tuple[str, str, str]], str]:
    """(document status, revision kind, [(text, label, edit)], revision meta), newest revision."""
    conn = sqlite3.connect(project.db_path)
    try:
        status = conn.execute("SELECT status FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        ann_id, kind, meta = conn.execute(
            "SELECT id, kind, meta FROM annotations WHERE document_id = ?"
            " ORDER BY revision DESC LIMIT 1",
            (doc_id,),
        ).fetchone()
        spans = conn.execute(
            "SELECT text, label, json_extract(meta, '$.edit') FROM spans"
            " WHERE annotation_id = ? ORDER BY position",
            (ann_id,),
        ).fetchall()
    finally:
        conn.close()
    return status, kind, [tuple(s) for s in spans], meta


def pool_ids(project: Project) -> list[int]:
    conn = sqlite3.connect(project.db_path)
    try:
        return [
            r[0] for r in conn.execute("SELECT id FROM documents WHERE split = 'pool' ORDER BY id")
        ]
    finally:
        conn.close()


async def wait_until(check: Callable[[], object], timeout: float = 30) -> None:
    """Poll ``check`` until it holds: a test waits for what it checks, never a fixed time
    (``timeout`` only ends a test that would otherwise hang)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def settle(pilot: Pilot[None]) -> AnnotateScreen:
    """Wait until the open document has its suggestions and every save is committed."""
    app = pilot.app
    assert isinstance(app, WorkbenchApp)
    screen = app.annotate
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        draft = screen.draft
        if draft is None or not draft.pristine or draft.doc_id in screen.prefetcher.cache:
            break
        await asyncio.sleep(0.02)
    await pilot.pause()
    screen.writer.flush()
    return screen


def drive(
    project: Project,
    body: Callable[[Pilot[None]], Awaitable[None]],
    size: tuple[int, int] = (120, 40),
    **kw: object,
) -> None:
    async def main() -> None:
        app = WorkbenchApp(project, **kw)  # type: ignore[arg-type]
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await body(pilot)

    asyncio.run(main())


def shown(widget: object) -> str:
    """The text a Static shows, whether it holds a string, a Text or a rich Table."""
    from io import StringIO

    from rich.console import Console
    from textual.widgets import Static

    assert isinstance(widget, Static)
    out = StringIO()
    Console(file=out, width=200, color_system=None).print(widget.content)
    return out.getvalue()
