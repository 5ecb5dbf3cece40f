"""The real `workbench annotate` binary in a real terminal: tmux when it is there, and a
pseudo-terminal for the SIGKILL test (every machine has one)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import write
from tests.tui.conftest import latest, pool_ids
from workbench.project import Project

WB = [sys.executable, "-m", "workbench"]


def _until(
    check: Callable[[], bool], timeout: float = 60.0, what: Callable[[], str] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting" + (f"; the screen:\n{what()}" if what else ""))


def _revisions(db: Path, doc_id: int) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(
            conn.execute(
                "SELECT COUNT(*) FROM annotations WHERE document_id = ?", (doc_id,)
            ).fetchone()[0]
        )
    finally:
        conn.close()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_label_accept_quit_export(tmp_path: Path) -> None:
    root, sock = tmp_path / "proj", str(tmp_path / "tmux.sock")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    subprocess.run([*WB, "init", str(root), "--labels", "Chemical,Disease"], check=True, env=env)
    one = write(tmp_path / "one.txt", "Cisplatin caused nephrotoxicity .\n")
    subprocess.run([*WB, "--project", str(root), "import", str(one)], check=True, env=env)
    tmux = ["tmux", "-S", sock]
    cmd = " ".join([*WB, "--project", str(root), "annotate"])
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "100", "-y", "30", f"HF_HUB_OFFLINE=1 {cmd}"],
        check=True,
    )

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p"], capture_output=True, text=True, check=False
        ).stdout

    try:
        _until(lambda: "Cisplatin" in screen() and "accept" in screen(), what=screen)
        subprocess.run([*tmux, "send-keys", "1"], check=True)
        _until(lambda: "Chemical" in screen(), what=screen)
        subprocess.run([*tmux, "send-keys", "Enter"], check=True)
        _until(lambda: "Done" in screen(), what=screen)
        subprocess.run([*tmux, "send-keys", "q"], check=True)
        _until(lambda: subprocess.run([*tmux, "has-session"], check=False).returncode != 0)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    out = tmp_path / "out.jsonl"
    subprocess.run([*WB, "--project", str(root), "export", str(out)], check=True, env=env)
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(e["text"], e["label"]) for e in row["entities"]] == [("Cisplatin", "Chemical")]


def test_sigkill_loses_nothing_accepted(tui_project: Project) -> None:
    import fcntl
    import pty
    import struct
    import termios

    first, second, _ = pool_ids(tui_project)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        [*WB, "--project", str(tui_project.root), "annotate"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color", "HF_HUB_OFFLINE": "1"},
        start_new_session=True,
    )
    os.close(slave)
    seen = bytearray()

    def drain() -> None:  # a terminal that nobody reads blocks the app
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    threading.Thread(target=drain, daemon=True).start()
    try:
        _until(lambda: b"quit" in seen)
        os.write(master, b"l2")  # "causes" as Disease: a draft revision
        _until(lambda: _revisions(tui_project.db_path, first) >= 2)
        os.write(master, b"\r")  # accept
        _until(lambda: latest(tui_project, first)[0] == "accepted")
        os.write(master, b"1")  # an edit of the next document, then the kill
        _until(lambda: _revisions(tui_project.db_path, second) >= 2)
        os.write(master, b"l2")
        time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        os.close(master)
    status, kind, spans, _ = latest(tui_project, first)
    assert (status, kind) == ("accepted", "accepted")
    assert spans == [("Aspirin", "Chemical", "kept"), ("causes", "Disease", "added")]
    # the open draft keeps at least all but its last edit
    status, _, spans, _ = latest(tui_project, second)
    assert status == "draft" and ("Naloxone", "Chemical", "added") in spans
