"""`workbench tag`: tag files, directories or standard input with a model."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from workbench.cli.common import Device, Precision, err, format_choice, out, project_option
from workbench.core import Document
from workbench.project import PALETTE


def tag(
    ctx: typer.Context,
    inputs: list[str] = typer.Argument(
        ..., help="Files (.gz too), directories (walked recursively), or - for stdin."
    ),
    format: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="Output: pretty, jsonl, conll, pubtator or parquet (--out only). Default: pretty "
        "on a terminal, else the input's own format (PubTator in, PubTator out), else jsonl.",
    ),
    input_format: str = typer.Option(
        "auto",
        "--input-format",
        "-i",
        help="auto (detected as import does), text, jsonl, conll or pubtator.",
        callback=format_choice("read", ("auto",)),
    ),
    out_dir: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Write shards (part-00000.jsonl, ...) and manifest.json here; the same command "
        "again resumes.",
        file_okay=False,
    ),
    model: Path | None = typer.Option(None, help="A model directory (no project needed)."),
    doc_per_file: bool = typer.Option(False, help="Text: one document per file, not per line."),
    skip_bad: bool = typer.Option(
        False, help="Log bad records (to DIR/rejected.jsonl with --out) and go on."
    ),
    engine: Literal["local", "ray"] = typer.Option(
        "local", help="local, or ray (with --out): a Ray Data job."
    ),
    ray_address: str | None = typer.Option(
        None, help="Join this Ray cluster ('auto': the running one); default: a local Ray."
    ),
    workers: int | None = typer.Option(
        None, min=0, help="Ray actors, or local batch-preparing processes (default: by device)."
    ),
    shard_size: str = typer.Option(
        "32M", help="Input bytes per shard with --out (K, M, G suffixes; cut at records)."
    ),
    device: Device = typer.Option("auto", help="Where to run the model."),
    precision: Precision = typer.Option("auto", help="auto: bf16 where the hardware has it."),
    runtime: Literal["torch", "onnx", "auto"] = typer.Option(
        "torch", help="torch, onnx (an exported graph), or auto."
    ),
    progress: bool | None = typer.Option(
        None, "--progress/--no-progress", help="A progress bar on stderr (default: on a terminal)."
    ),
) -> None:
    """Tag any input format with the active model (or --model): PubTator in, PubTator out."""
    from workbench.ops.tag import (
        TagRequest,
        default_output_format,
        expand_inputs,
        resolve_model,
        tag_stream,
        tag_to_dir,
    )
    from workbench.ops.tag.sinks import TextSink, check_output_format

    path, project = resolve_model(model, project_option(ctx))
    if runtime == "onnx":
        from workbench.model.onnx_export import ensure_onnx

        ensure_onnx(path, err.print)
    found = expand_inputs(inputs, input_format, warn=err.print)
    fmt = format or default_output_format(found, out_dir is None and out.is_terminal)
    check_output_format(fmt)
    if fmt == "parquet" and out_dir is None:
        from workbench.errors import WorkbenchError

        raise WorkbenchError("--format parquet writes shards: name a directory with --out")
    req = TagRequest(
        inputs=inputs,
        input_format=input_format,
        output_format=fmt,
        doc_per_file=doc_per_file,
        skip_bad=skip_bad,
        device=device,
        precision=precision,
        runtime=runtime,
        workers=workers,
        shard_bytes=parse_size(shard_size, "--shard-size"),
        engine=engine,
        ray_address=ray_address,
    )
    total = sum(i.size for i in found) or None
    with _bar(total, err.is_terminal if progress is None else progress) as bar:
        if out_dir is not None:
            summary = tag_to_dir(req, found, path, out_dir, bar.advance, err.print)
        else:
            if engine != "local":
                from workbench.errors import WorkbenchError

                raise WorkbenchError("--engine ray writes shards: name a directory with --out")
            from workbench.model.predict import Tagger

            tagger = Tagger(path, device=device, precision=precision, runtime=runtime)
            sink: Any = (
                PrettySink(out, _colours(tagger.labels, project))
                if fmt == "pretty"
                else TextSink(fmt, sys.stdout)
            )
            summary = tag_stream(req, found, tagger, sink, bar.advance)
    for row in summary.rejected_rows:
        err.print(f"rejected {row['source']}:{row['line']}: {row['error']}")
    where = f" into {out_dir}" if out_dir is not None else ""
    skipped = (
        f"; {summary.shards_skipped} of {summary.shards} shards were already done"
        if summary.shards_skipped
        else ""
    )
    rejected = f"; {summary.rejected:,} bad records skipped" if summary.rejected else ""
    err.print(
        f"Tagged {summary.documents:,} documents ({summary.entities:,} entities, "
        f"{summary.words:,} words){where} in {summary.seconds:.1f} s: "
        f"{summary.words_per_second:,.0f} words/s ({summary.runtime}){skipped}{rejected}."
    )


def parse_size(text: str, option: str) -> int:
    """'32M', '200k', '1G' or a plain number of bytes."""
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    raw = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = raw[-1:] if raw[-1:] in ("K", "M", "G") else ""
    try:
        value = float(raw[: len(raw) - len(unit)])
    except ValueError:
        value = -1
    if value <= 0:
        from workbench.errors import WorkbenchError

        raise WorkbenchError(f"{option} {text!r}: give a size such as 32M, 200K or 1G")
    return max(1, int(value * units[unit]))


class _Bar:
    def __init__(self, total: int | None, show: bool):
        self.progress = Progress(
            TextColumn("tagging"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[docs]:,} docs · {task.fields[rate]:,.0f} words/s"),
            TimeRemainingColumn(),
            console=err,
            disable=not show,
            transient=True,
        )
        self.task = self.progress.add_task("tag", total=total, docs=0, rate=0.0)
        self.docs = self.words = 0

    def advance(self, docs: int, words: int, size: int) -> None:
        self.docs += docs
        self.words += words
        elapsed = self.progress.tasks[0].elapsed or 0.0
        rate = self.words / elapsed if elapsed else 0.0
        self.progress.update(self.task, advance=size, docs=self.docs, rate=rate)

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)


def _bar(total: int | None, show: bool) -> _Bar:
    return _Bar(total, show)


class PrettySink:
    """Documents in colour on a terminal, with their entities listed below."""

    def __init__(self, console: Console, colours: dict[str, str]):
        self.console = console
        self.colours = colours

    def write(self, docs: Sequence[Document]) -> None:
        for doc in docs:
            text = Text(doc.text)
            for s in doc.spans:
                text.stylize(f"bold {self.colours.get(s.label, 'white')}", s.start, s.end)
            self.console.print(Text(f"{doc.external_id}  ", style="dim") + text)
            if doc.spans:
                listed = ", ".join(
                    f"{doc.text[s.start : s.end]} ({s.label} {s.score or 0:.2f})" for s in doc.spans
                )
                self.console.print(Text("  " + listed, style="dim"))

    def close(self) -> None:
        pass


def _colours(labels: list[str], project: Any) -> dict[str, str]:
    if project is not None:
        known = {lab.name: lab.colour for lab in project.config.labels}
        if all(lab in known for lab in labels):
            return known
    return {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(labels)}
