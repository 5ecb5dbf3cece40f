"""`workbench --help` lists the commands in the order a user meets them in the loop."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from workbench.cli import app

LOOP = [
    "init",
    "import",
    "import-dict",
    "annotate",
    "train",
    "evaluate",
    "tag",
    "retrain",
    "simulate",
    "status",
    "export",
]


def test_help_lists_the_commands_in_loop_order() -> None:
    res = CliRunner().invoke(app, ["--help"], terminal_width=120)
    assert res.exit_code == 0
    listed = re.findall(r"^│ ([\w-]+)\s", res.stdout, flags=re.MULTILINE)
    listed = [c for c in listed if not c.startswith("-")]
    assert [c for c in listed if c in LOOP] == LOOP, listed  # models, activate, remove between
    assert {"models", "activate", "remove"} <= set(listed)
