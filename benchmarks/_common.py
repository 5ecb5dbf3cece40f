"""What every benchmark prints with its figures: the command, the machine and the date."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BC5CDR = ROOT / "sample_data" / "bc5cdr"


def header(title: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cmd = "python " + " ".join([os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    return (
        f"### {title}\n\n"
        f"- command: `{cmd}`\n"
        f"- machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}\n"
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}\n"
    )


def tag_cmd(model: str, src: Path | str, *extra: str, fmt: str = "jsonl") -> list[str]:
    """`workbench tag SRC` on the CPU as a user would type it, without a progress bar."""
    return [
        sys.executable,
        "-m",
        "workbench",
        "tag",
        str(src),
        "--model",
        model,
        "--device",
        "cpu",
        "-f",
        fmt,
        "--no-progress",
        *extra,
    ]
