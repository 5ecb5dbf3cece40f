"""Two annotators in two processes on one database at once, each on their own line of the
same double-annotated documents: every edit of both is saved, none refused or lost."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.tui.test_two_annotators import double_project

ANNOTATOR = """
import sys
from pathlib import Path
from tests.tui.test_two_annotators import annotate_all, gold_docs
from workbench.project import find_project

project = find_project(Path(sys.argv[1]))
gold = {str(d.external_id): d for d in gold_docs()}
print(annotate_all(project, sys.argv[2], gold, vary=sys.argv[2] == "bob"), flush=True)
"""


def test_two_annotators_at_once_lose_nothing(tmp_path: Path) -> None:
    project, gold = double_project(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ANNOTATOR, str(project.root), who],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for who in ("ann", "bob")
    ]
    for p in procs:
        out, errs = p.communicate(timeout=600)
        assert p.returncode == 0, errs[-2000:]
        assert out.strip() == "20"
    conn = sqlite3.connect(project.db_path)
    saved = dict(
        conn.execute(
            "SELECT author, COUNT(*) FROM annotations WHERE author IS NOT NULL GROUP BY author"
        ).fetchall()
    )
    conn.close()
    n_spans = sum(len(d.spans) for d in gold)
    # ann: one revision per entity labelled, and one acceptance per document
    assert saved["ann"] == n_spans + 20
    # bob: the same, less the entities he leaves out (every fifth, per document)
    left_out = sum(len(range(4, len(d.spans), 5)) for d in gold)
    assert saved["bob"] == n_spans - left_out + 20
