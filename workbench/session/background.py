"""A retrain round started from the screen runs as a child process: the screen never shares
its GIL with training, and a crash of the round cannot take the session down."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


def retrain_command(project_root: Path) -> list[str]:
    return [sys.executable, "-m", "workbench", "--project", str(project_root), "retrain"]


async def run_logged(command: list[str], log_path: Path) -> tuple[int, str]:
    """Run ``command`` with its output appended to ``log_path``; (exit code, last log line)."""
    with log_path.open("ab") as log:
        proc = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log
        )
        code = await proc.wait()
    return code, last_line(log_path)


def last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "(no log)"
    return lines[-1].strip() if lines else "(no output)"
