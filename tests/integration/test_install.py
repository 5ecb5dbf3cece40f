"""A non-editable install carries the migrations: build the wheel, install it elsewhere, use it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_wheel_install_can_init_and_import(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheels.glob("workbench-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "workbench/migrations/0001_documents_annotations.sql" in names

    target = tmp_path / "site"
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert inst.returncode == 0, inst.stderr[-2000:]

    # Run from a directory outside the checkout, with only the installed copy on the path
    # ahead of the dependencies, so nothing can come from the source tree.
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}
    script = target / "bin" / "workbench"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    probe = subprocess.run(
        [sys.executable, "-c", "import workbench, workbench.migrations as m; print(m.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert probe.stdout.startswith(str(target)), probe.stdout + probe.stderr
    res = run("init", "proj")
    assert res.returncode == 0, res.stderr
    (work / "a.txt").write_text("Aspirin induced ulcers.\n", encoding="utf-8")
    res = run("--project", "proj", "import", "a.txt")
    assert res.returncode == 0, res.stderr
    res = run("--project", "proj", "status")
    assert res.returncode == 0 and "schema v" in res.stdout, res.stderr
