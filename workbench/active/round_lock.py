"""One training round per project at a time: an exclusive lock on models/.round.lock.

The lock is held by the process (released by the kernel when it dies, even by
SIGKILL), so a crashed round never blocks the next one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import ModelError


@contextmanager
def round_lock(models_dir: Path) -> Iterator[None]:
    models_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(models_dir / ".round.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ModelError(
                "a training round is already running in this project; wait for it to end "
                "(`workbench status` shows its progress)"
            ) from None
        yield
    finally:
        os.close(fd)
