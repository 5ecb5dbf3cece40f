"""`tag --out DIR`: one shard per unit, each written to a hidden temporary name and renamed
when complete, and `DIR/manifest.json` (inputs, model, the plan, finished shards, counts),
rewritten atomically after every shard. Running the same command again resumes: finished
shards are skipped. A kill loses at most the shards in flight and never leaves a truncated
file under a shard's name. Rejected records (`--skip-bad`) are kept per shard and gathered
into `DIR/rejected.jsonl`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.core import Document, Span
from workbench.errors import WorkbenchError
from workbench.ops.tag.inputs import Unit
from workbench.ops.tag.pipeline import UnitResult, doc_id
from workbench.ops.tag.sinks import EXTENSIONS, Sink, open_sink, tagged

MANIFEST = "manifest.json"
REJECTED = "rejected.jsonl"
REJECTS_DIR = ".rejected"


def shard_name(index: int, fmt: str) -> str:
    return f"part-{index:05d}{EXTENSIONS[fmt]}"


def _atomic_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


@dataclass
class Manifest:
    """The run's identity (what must match to resume) and its progress."""

    path: Path
    identity: dict[str, Any]
    units: list[Unit]
    finished: dict[int, dict[str, Any]] = field(default_factory=dict)
    complete: bool = False
    error: str | None = None

    @classmethod
    def open(cls, out: Path, identity: dict[str, Any], units: list[Unit]) -> Manifest:
        """A new manifest, or the one in ``out`` when it describes the same run (resume)."""
        path = out / MANIFEST
        if not path.exists():
            if out.exists() and any(p for p in out.iterdir() if not p.name.startswith(".")):
                raise WorkbenchError(f"{out}: exists, is not empty and holds no {MANIFEST}")
            out.mkdir(parents=True, exist_ok=True)
            manifest = cls(path, identity, units)
            manifest.save()
            return manifest
        try:
            data = json.loads(path.read_text("utf-8"))
            old = data["identity"]
            finished = {int(k): v for k, v in data["finished"].items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise WorkbenchError(f"{path}: not a tagging manifest ({exc})") from None
        if old != identity:
            what = [k for k in identity if old.get(k) != identity[k]] or ["version"]
            raise WorkbenchError(
                f"{out} holds a tagging run with other {', '.join(what)}; resume it with the "
                "same command, or write to another --out"
            )
        # a shard counts as finished only if its file is still there
        finished = {i: v for i, v in finished.items() if (out / str(v.get("file", ""))).is_file()}
        return cls(
            path,
            identity,
            units,
            finished,
            bool(data.get("complete")) and len(finished) == len(units),
        )

    def save(self) -> None:
        _atomic_json(
            self.path,
            {
                "workbench": __version__,
                "identity": self.identity,
                "shards": [u.as_dict() for u in self.units],
                "finished": {str(i): v for i, v in sorted(self.finished.items())},
                "complete": self.complete,
                "error": self.error,
                "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        )

    def todo(self) -> list[Unit]:
        return [u for u in self.units if u.index not in self.finished]


class ShardWriter:
    """Writes each unit to its shard; the caller records finished shards in the manifest
    (the local engine as they end, the Ray driver as actors report them)."""

    def __init__(self, out: Path, fmt: str, on_end: Any = None):
        self.out = out
        self.fmt = fmt
        self.on_end = on_end
        self._open: tuple[Unit, Sink, Any, Path] | None = None

    def _tmp(self, unit: Unit) -> Path:
        return self.out / f".{shard_name(unit.index, self.fmt)}.tmp"

    def begin(self, unit: Unit) -> None:
        tmp = self._tmp(unit)
        sink, fh = open_sink(self.fmt, tmp)
        self._open = (unit, sink, fh, tmp)

    def write(self, unit: Unit, docs: Sequence[Document], spans: Sequence[list[Span]]) -> None:
        assert self._open is not None
        self._open[1].write(
            [tagged(d, s, doc_id(unit, d)) for d, s in zip(docs, spans, strict=True)]
        )

    def end(self, unit: Unit, result: UnitResult) -> None:
        assert self._open is not None
        _, sink, fh, tmp = self._open
        sink.close()
        if fh is not None:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        self._open = None
        rejects = self.out / REJECTS_DIR / f"{shard_name(unit.index, self.fmt)}.jsonl"
        if result.rejected:
            rejects.parent.mkdir(exist_ok=True)
            _write_lines(rejects, result.rejected)
        final = self.out / shard_name(unit.index, self.fmt)
        os.replace(tmp, final)
        if self.on_end is not None:
            self.on_end(unit, summary(unit, result, final.name))

    def abort(self) -> None:
        """The shard in flight is dropped: only complete shards keep a name."""
        if self._open is not None:
            _, sink, fh, tmp = self._open
            try:
                sink.close()
                if fh is not None:
                    fh.close()
            except Exception:
                pass
            tmp.unlink(missing_ok=True)
            self._open = None


def summary(unit: Unit, result: UnitResult, file: str) -> dict[str, Any]:
    return {
        "file": file,
        "source": unit.name,
        "documents": result.documents,
        "entities": result.entities,
        "words": result.words,
        "rejected": len(result.rejected),
        "seconds": round(result.seconds, 3),
    }


def _write_lines(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def gather_rejected(out: Path, manifest: Manifest, fmt: str) -> int:
    """`rejected.jsonl` from the finished shards' rejects, in shard order."""
    rows: list[dict[str, Any]] = []
    for i in sorted(manifest.finished):
        path = out / REJECTS_DIR / f"{shard_name(i, fmt)}.jsonl"
        if path.is_file():
            rows += [json.loads(x) for x in path.read_text("utf-8").splitlines() if x]
    if rows or (out / REJECTED).exists():
        _write_lines(out / REJECTED, rows)
    return len(rows)


def clean_leftovers(out: Path) -> None:
    """Temporary files of a killed run: never complete, safe to delete."""
    if out.is_dir():
        for tmp in out.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
