"""`workbench tag`: any input format in, entities out, in constant memory.

`tag_stream` writes to one sink as it goes (standard output); `tag_to_dir` writes shards and a
manifest under `--out`, locally or as a Ray Data job, and resumes where a run stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core import Document, Span
from workbench.errors import WorkbenchError
from workbench.formats import choices
from workbench.model.predict import Tagger
from workbench.ops.tag.inputs import (
    Input,
    Unit,
    expand_inputs,
    input_fingerprint,
    plan_units,
    resolve_model,
)
from workbench.ops.tag.pipeline import PipelineOptions, Progress, UnitResult, doc_id, run_units
from workbench.ops.tag.shards import Manifest, ShardWriter, clean_leftovers, gather_rejected
from workbench.ops.tag.sinks import OUTPUT_FORMATS, Sink, check_output_format, tagged

__all__ = [
    "OUTPUT_FORMATS",
    "TagRequest",
    "TagSummary",
    "default_output_format",
    "expand_inputs",
    "resolve_model",
    "tag_stream",
    "tag_to_dir",
]

DEFAULT_SHARD_BYTES = 32 * 1024 * 1024
Warn = Callable[[str], None]


@dataclass
class TagRequest:
    inputs: list[str]
    input_format: str = "auto"
    output_format: str = "jsonl"
    doc_per_file: bool = False
    skip_bad: bool = False
    device: str = "auto"
    precision: str = "auto"
    runtime: str = "torch"
    chunk_words: int | None = None
    workers: int | None = None  # preparer processes (local), actors (ray); None: by device
    shard_bytes: int = DEFAULT_SHARD_BYTES
    engine: str = "local"
    ray_address: str | None = None

    def pipeline(self, device: str) -> PipelineOptions:
        workers = self.workers if self.workers is not None else _default_workers(device)
        return PipelineOptions(self.doc_per_file, self.skip_bad, self.chunk_words, workers)


def _default_workers(device: str) -> int:
    """On a GPU, preparing batches is the bottleneck: several processes do it. On a CPU
    the model needs every core, and the reader thread prepares between forward passes."""
    import os

    return min(8, max(1, (os.cpu_count() or 2) - 2)) if device == "cuda" else 0


@dataclass
class TagSummary:
    documents: int = 0
    entities: int = 0
    words: int = 0
    rejected: int = 0
    rejected_rows: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0
    shards: int = 0
    shards_skipped: int = 0
    runtime: str = ""

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def add(self, results: Sequence[UnitResult]) -> None:
        for r in results:
            self.documents += r.documents
            self.entities += r.entities
            self.words += r.words
            self.rejected += len(r.rejected)
            self.rejected_rows += r.rejected


def default_output_format(inputs: Sequence[Input], to_terminal: bool) -> str:
    """Pretty on a terminal; else the inputs' own format when it can be written (PubTator
    in, PubTator out), else JSON lines."""
    if to_terminal:
        return "pretty"
    formats = {i.format for i in inputs}
    if len(formats) == 1 and (only := formats.pop()) in choices("write"):
        return only
    return "jsonl"


class _StreamWriter:
    """Every unit into one sink. PubTator needs numeric ids: documents without one are
    numbered in order, as the old `tag -f pubtator` did."""

    def __init__(self, sink: Sink, numbered: bool):
        self.sink = sink
        self.numbered = numbered
        self.count = 0

    def begin(self, unit: Unit) -> None:
        pass

    def write(self, unit: Unit, docs: Sequence[Document], spans: Sequence[list[Span]]) -> None:
        out = []
        for d, s in zip(docs, spans, strict=True):
            self.count += 1
            ident = d.external_id or (str(self.count) if self.numbered else doc_id(unit, d))
            out.append(tagged(d, s, ident))
        self.sink.write(out)

    def end(self, unit: Unit, result: UnitResult) -> None:
        pass

    def abort(self) -> None:
        pass


def tag_stream(
    req: TagRequest,
    inputs: Sequence[Input],
    tagger: Tagger,
    sink: Sink,
    progress: Progress | None = None,
) -> TagSummary:
    """Tag every input into ``sink``, in input order, as it goes."""
    units = plan_units(inputs, shard_bytes=2**62, doc_per_file=req.doc_per_file)
    t0 = time.perf_counter()
    writer = _StreamWriter(sink, numbered=req.output_format == "pubtator")
    try:
        results = run_units(units, tagger, req.pipeline(tagger.device), writer, progress)
    finally:
        sink.close()
    summary = TagSummary(runtime=f"{tagger.runtime.name} {tagger.precision} on {tagger.device}")
    summary.add(results)
    summary.seconds = time.perf_counter() - t0
    return summary


def tag_to_dir(
    req: TagRequest,
    inputs: Sequence[Input],
    model: Path,
    out: Path,
    progress: Progress | None = None,
    log: Warn | None = None,
) -> TagSummary:
    """Shards and a manifest under ``out``; finished shards of an earlier run are kept."""
    if req.output_format == "pretty":
        raise WorkbenchError(
            "--out writes files: choose --format jsonl, pubtator, conll or parquet"
        )
    check_output_format(req.output_format)
    if any(i.path is None for i in inputs):
        raise WorkbenchError("--out needs files to resume from: standard input (-) cannot be")
    units = plan_units(inputs, req.shard_bytes, req.doc_per_file)
    identity = {
        "inputs": input_fingerprint(inputs),
        "model": str(model.resolve()),
        "format": req.output_format,
        "options": {
            "doc_per_file": req.doc_per_file,
            "shard_bytes": req.shard_bytes,
            "input_format": req.input_format,
        },
    }
    manifest = Manifest.open(out, identity, units)
    clean_leftovers(out)
    todo = manifest.todo()
    summary = TagSummary(shards=len(units), shards_skipped=len(units) - len(todo))
    t0 = time.perf_counter()

    def finished(unit: Unit, row: dict[str, object]) -> None:
        manifest.finished[unit.index] = row
        manifest.save()

    try:
        if not todo:
            summary.runtime = "nothing left to do"
        elif req.engine == "ray":
            from workbench.ops.tag.ray_engine import run_on_ray

            summary.add(run_on_ray(todo, model, req, out, finished, progress, log))
            summary.runtime = "ray"
        elif req.engine == "local":
            tagger = Tagger(model, device=req.device, precision=req.precision, runtime=req.runtime)
            summary.runtime = f"{tagger.runtime.name} {tagger.precision} on {tagger.device}"
            writer = ShardWriter(out, req.output_format, on_end=finished)
            summary.add(run_units(todo, tagger, req.pipeline(tagger.device), writer, progress))
        else:
            raise WorkbenchError(f"unknown engine {req.engine!r} (local or ray)")
    except BaseException as exc:
        manifest.error = str(exc).splitlines()[0] if str(exc) else repr(exc)
        manifest.save()
        gather_rejected(out, manifest, req.output_format)
        raise
    manifest.complete = len(manifest.finished) == len(units)
    manifest.error = None
    manifest.save()
    summary.rejected = gather_rejected(out, manifest, req.output_format)
    summary.seconds = time.perf_counter() - t0
    return summary
