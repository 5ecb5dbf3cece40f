"""The tagging pipeline: a reader, the model, a writer, each on its own thread, joined by
short queues, so memory stays flat however long the input and output is written as it goes.

    reader thread   units -> documents (the format registry) -> chunks of about
                    `chunk_words` words -> `Tagger.prepare` (sub-words, windows, batches),
                    inline or on a pool of preparer processes
    caller's thread `Tagger.run`: the forward pass and the decoding of each chunk
    writer thread   ids for the documents, then `UnitWriter.write`; `end` when a unit is done

Chunks are cut inside a unit only, from its documents alone, so a unit gives the same output
whichever engine or process tags it. A bad record stops the run (raised where the caller can
see it, after every unit before it is finished) or, with ``skip_bad``, is recorded and the
run goes on.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from workbench.core import Document, Span
from workbench.core.context import with_running_context
from workbench.errors import FormatError
from workbench.formats import ReadOptions, get, read_source
from workbench.model.batching import Prepared
from workbench.model.predict import Tagger
from workbench.ops.tag.inputs import Unit, neighbours

CPU_CHUNK_WORDS = 65_536  # ~330 abstracts: windows sort into batches with little padding
GPU_CHUNK_WORDS = 131_072
QUEUE_CHUNKS = 2  # chunks waiting between two stages: what bounds memory


@dataclass
class UnitResult:
    index: int
    documents: int = 0
    entities: int = 0
    words: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


class UnitWriter(Protocol):
    def begin(self, unit: Unit) -> None: ...

    def write(self, unit: Unit, docs: Sequence[Document], spans: Sequence[list[Span]]) -> None: ...

    def end(self, unit: Unit, result: UnitResult) -> None: ...

    def abort(self) -> None: ...


Progress = Callable[[int, int, int], None]  # documents, words, input bytes: since the last call


@dataclass(frozen=True)
class PipelineOptions:
    doc_per_file: bool = False
    skip_bad: bool = False
    chunk_words: int | None = None
    workers: int = 0  # preparer processes; 0: the reader thread prepares


class _Stop(Exception):
    pass


def doc_id(unit: Unit, doc: Document) -> str:
    """The input's own id (a PMID, a JSON "id", -DOCSTART- ID), else where it came from."""
    if doc.external_id is not None:
        return doc.external_id
    return f"{unit.name}:{doc.line}" if doc.line is not None else unit.name


def run_units(
    units: Sequence[Unit],
    tagger: Tagger,
    opts: PipelineOptions,
    writer: UnitWriter,
    progress: Progress | None = None,
) -> list[UnitResult]:
    chunk_words = opts.chunk_words or (
        GPU_CHUNK_WORDS if tagger.device == "cuda" else CPU_CHUNK_WORDS
    )
    prepared: queue.Queue[tuple[str, Any]] = queue.Queue(QUEUE_CHUNKS)
    tagged: queue.Queue[tuple[str, Any]] = queue.Queue(QUEUE_CHUNKS)
    stop = threading.Event()
    results: list[UnitResult] = []
    errors: list[BaseException] = []
    pool: Executor | None = None
    if opts.workers > 0:
        pool = ProcessPoolExecutor(
            opts.workers,
            initializer=_init_worker,
            initargs=(
                tagger.path,
                tagger.max_length,
                tagger.stride,
                tagger.batch_tokens,
                tagger.runtime.shape_steps,
                tagger.word_shapes,
                tagger.context,
            ),
        )

    def put(q: queue.Queue[tuple[str, Any]], item: tuple[str, Any]) -> None:
        while True:
            if stop.is_set():
                raise _Stop
            try:
                q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            for unit in units:
                result = UnitResult(unit.index)
                t0 = time.perf_counter()
                for docs in _chunks(unit, opts, chunk_words, result, tagger.context):
                    job: Future[Prepared] | Prepared = (
                        pool.submit(_prepare_in_worker, docs)
                        if pool is not None
                        else tagger.prepare(docs)
                    )
                    put(prepared, ("chunk", (unit, docs, job)))
                result.seconds = t0  # the writer turns it into a duration
                put(prepared, ("end", (unit, result)))
            put(prepared, ("done", None))
        except _Stop:
            pass
        except BaseException as exc:  # in band: the units before it are written first
            with contextlib.suppress(_Stop):
                put(prepared, ("error", exc))

    def write() -> None:
        current: Unit | None = None
        counts = [0, 0, 0]  # documents, entities, words of the unit being written
        try:
            while True:
                try:
                    kind, item = tagged.get(timeout=0.1)
                except queue.Empty:
                    if stop.is_set():
                        return
                    continue
                if kind == "done":
                    return
                unit = item[0]
                if current is None or current.index != unit.index:
                    writer.begin(unit)
                    current, counts = unit, [0, 0, 0]
                if kind == "chunk":
                    _, docs, spans = item
                    writer.write(unit, docs, spans)
                    words = sum(len(d.tokens) for d in docs)
                    counts[0] += len(docs)
                    counts[1] += sum(len(s) for s in spans)
                    counts[2] += words
                    if progress is not None:
                        progress(len(docs), words, sum(len(d.text) for d in docs))
                else:
                    result: UnitResult = item[1]
                    result.documents, result.entities, result.words = counts
                    result.seconds = time.perf_counter() - result.seconds
                    writer.end(unit, result)
                    results.append(result)
                    current = None
        except BaseException as exc:
            errors.append(exc)
            stop.set()

    reader = threading.Thread(target=read, name="tag-reader", daemon=True)
    writer_thread = threading.Thread(target=write, name="tag-writer", daemon=True)
    reader.start()
    writer_thread.start()
    try:
        while not stop.is_set():
            try:
                kind, item = prepared.get(timeout=0.1)
            except queue.Empty:
                continue
            if kind == "chunk":
                unit, docs, job = item
                ready = job.result() if isinstance(job, Future) else job
                put(tagged, ("chunk", (unit, docs, tagger.run(ready))))
            elif kind == "error":
                errors.append(item)
                put(tagged, ("done", None))
                break
            else:
                put(tagged, (kind, item))
                if kind == "done":
                    break
    except _Stop:
        pass
    except BaseException as exc:
        errors.append(exc)
        stop.set()
    writer_thread.join()
    stop.set()
    reader.join()
    if pool is not None:
        pool.shutdown(cancel_futures=True)
    if errors:
        writer.abort()
        raise errors[0]
    return results


def _chunks(
    unit: Unit, opts: PipelineOptions, chunk_words: int, result: UnitResult, context: int
) -> Iterator[list[Document]]:
    """``context``: the model's; sentences of a file without document ids then carry their
    neighbours' words, as the project's do (`core.context`)."""

    def reject(error: FormatError) -> None:
        result.rejected.append({"source": error.path, "line": error.line, "error": error.message})

    read_opts = ReadOptions(
        doc_per_file=opts.doc_per_file, on_error=reject if opts.skip_bad else None
    )
    chunk: list[Document] = []
    words = 0
    docs = read_source(get(unit.format), unit.source(), read_opts)
    before, after = neighbours(unit, context, read_opts)  # a shard reads as the file whole
    for doc in with_running_context(docs, context, before, after):
        chunk.append(doc)
        words += len(doc.tokens)
        if words >= chunk_words:
            yield chunk
            chunk, words = [], 0
    if chunk:
        yield chunk


_WORKER: dict[str, Any] = {}


def _init_worker(
    path: Path,
    max_length: int,
    stride: int,
    batch_tokens: int,
    shape_steps: tuple[int, int],
    word_shapes: bool,
    context: int,
) -> None:
    from workbench.model.model_dir import load_tokenizer

    _WORKER.update(
        tokenizer=load_tokenizer(path),
        max_length=max_length,
        stride=stride,
        batch_tokens=batch_tokens,
        shape_steps=shape_steps,
        word_shapes=word_shapes,
        context=context,
    )


def _prepare_in_worker(docs: list[Document]) -> Prepared:
    from workbench.model.batching import prepare

    w = _WORKER
    return prepare(
        docs,
        w["tokenizer"],
        w["max_length"],
        w["stride"],
        w["batch_tokens"],
        w["shape_steps"],
        w["word_shapes"],
        w["context"],
    )
