"""Two processes on one database: an import and a `status` loop, no "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import BC5CDR
from workbench.project import init_project

STATUS_LOOP = """
import sys, time
from workbench.project import find_project
from workbench.ops.status import project_status
from pathlib import Path
proj = find_project(Path(sys.argv[1]))
stop = Path(sys.argv[2])
n = 0
print("started", flush=True)
while not stop.exists():  # until the test says both imports are done: no deadline
    st = project_status(proj)
    n += 1
st = project_status(proj)
print("status-runs", n, st.total_documents)
"""


def test_import_and_status_loop_do_not_lock(tmp_path: Path) -> None:
    proj = init_project(tmp_path / "p", "Chemical,Disease")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    stop = tmp_path / "stop"
    status = subprocess.Popen(
        [sys.executable, "-c", STATUS_LOOP, str(proj.root), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert status.stdout is not None
    assert status.stdout.readline().strip() == "started"  # it polls from now on
    importer = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "--project",
            str(proj.root),
            "import",
            str(BC5CDR / "train.tsv"),
            str(BC5CDR / "devel.tsv"),
            str(BC5CDR / "test.tsv"),
            "--split",
            "train",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    # A second import while status keeps polling: writers and readers interleave.
    importer2 = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "--project",
            str(proj.root),
            "import",
            str(BC5CDR / "devel.tsv"),
            "--split",
            "dev",
            "--replace",  # the same file again: what it imported before goes, dev comes
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    stop.touch()
    out, err = status.communicate(timeout=120)
    for proc_out in (importer.stderr, importer2.stderr, err, out):
        assert "locked" not in proc_out.lower()
    assert importer.returncode == 0, importer.stderr
    assert importer2.returncode == 0, importer2.stderr
    assert status.returncode == 0, err
    runs = int(out.split()[1])
    assert runs > 5  # it read the database while both imports wrote it
    assert out.split()[2] == str(4560 + 4581 + 4797)
