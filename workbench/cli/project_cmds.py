"""`workbench init` and `workbench status`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from workbench.cli.common import out, project_of
from workbench.ops.status import ProjectStatus, project_status
from workbench.project import DEFAULT_BASE_MODEL, init_project
from workbench.store.documents import SPLITS, STATUSES


def init(
    directory: Path = typer.Argument(Path("."), help="Where to create the project."),
    labels: str = typer.Option("Chemical,Disease", help="Comma-separated entity labels (<= 9)."),
    base_model: str = typer.Option(DEFAULT_BASE_MODEL, help="Model name or local directory."),
) -> None:
    """Create a new project: workbench.toml, workbench.db and models/."""
    project = init_project(directory, labels, base_model)
    names = ", ".join(f"{lab.key}={lab.name}" for lab in project.config.labels)
    out.print(f"Created project in {project.root} (labels {names}).")
    out.print(f"Next: workbench --project {project.root} import FILE")


def status(ctx: typer.Context) -> None:
    """Documents per split and status, labels, entities and the active model."""
    render_status(project_status(project_of(ctx)), out)


def render_status(st: ProjectStatus, out: Console) -> None:
    out.print(Text("Project ", style="bold") + Text(f"{st.root}  (schema v{st.schema_version})"))
    docs = Table(title="Documents", title_justify="left")
    docs.add_column("split")
    for s in STATUSES:
        docs.add_column(s, justify="right")
    docs.add_column("total", justify="right", style="bold")
    for split in SPLITS:
        row = [st.counts.get((split, s), 0) for s in STATUSES]
        if sum(row):
            docs.add_row(split, *map(str, row), str(sum(row)))
    totals = [sum(st.counts.get((sp, s), 0) for sp in SPLITS) for s in STATUSES]
    docs.add_row("all", *map(str, totals), str(sum(totals)), style="bold")
    out.print(docs)

    labels = Table(title="Labels (entities in the current revisions)", title_justify="left")
    labels.add_column("key")
    labels.add_column("label")
    for split in SPLITS:
        labels.add_column(split, justify="right")
    known = {lab.name for lab in st.labels}
    rows: list[tuple[str, str | Text, str]] = [
        (lab.key, Text(lab.name, style=lab.colour), lab.name) for lab in st.labels
    ]
    rows += [
        ("-", f"{name} (not a project label)", name)
        for name in sorted({lab for _, lab in st.entities} - known)
    ]
    for key, shown, name in rows:
        labels.add_row(key, shown, *(str(st.entities.get((sp, name), 0)) for sp in SPLITS))
    out.print(labels)
    for d in st.dictionaries:
        out.print(
            f"Dictionary {d.id}: {d.entries:,} {d.label} concepts, {d.terms:,} terms"
            f" ({Path(d.source).name})"
        )
    if st.double_documents:
        out.print(
            f"Double annotation: {st.double_documents} documents,"
            f" {st.awaiting_adjudication} awaiting adjudication"
            + (" (workbench annotate --adjudicate)" if st.awaiting_adjudication else "")
        )

    if st.rounds:
        rounds = Table(title="Rounds", title_justify="left")
        for col in ("round", "kind", "status", "train docs", "dev F1", "started", "note"):
            rounds.add_column(col, justify="right" if col in ("train docs", "dev F1") else "left")
        for r in st.rounds[-10:]:
            note = "active" if r.active else (r.error or "")
            refit = "refit (+dev)" if r.metrics.get("refit") else None
            went_on = r.metrics.get("went_on_from")
            for extra in (r.metrics.get("note"), refit, went_on and f"from {went_on}"):
                if extra:
                    note = f"{note}; {extra}" if note else str(extra)
            rounds.add_row(
                str(r.id),
                r.kind,
                r.status,
                str(r.train_documents or ""),
                f"{r.f1:.4f}" if r.f1 is not None else "",
                r.started_at[:19],
                note,
            )
        out.print(rounds)
    if st.queue_size:
        scored = any(sc is not None for _, sc, _ in st.queue_head)
        order = "most uncertain first" if scored else "import order: no round has scored it yet"
        queue = Table(
            title=f"Queue: {st.queue_size:,} pool documents to do ({order})", title_justify="left"
        )
        queue.add_column("document", justify="right")
        queue.add_column("score", justify="right")
        queue.add_column("text")
        for doc_id, sc, snippet in st.queue_head:
            queue.add_row(str(doc_id), "" if sc is None else f"{sc:.4f}", snippet)
        out.print(queue)
    if st.active_model is None:
        out.print(f"Active model: none yet (base model {st.base_model}).")
    else:
        m = st.active_model
        score = f", dev F1 {m.f1:.3f}" if m.f1 is not None else ""
        if m.metrics.get("refit"):
            score = ", refit on train + dev: no dev score"
        out.print(f"Active model: #{m.id} {m.path} (from {m.base_model}{score}, {m.created_at})")
        if m.metrics.get("base_fallback_from"):
            out.print(
                f"  It was trained from the bundled encoder because the configured base model "
                f"{m.metrics['base_fallback_from']} could not be loaded on that machine."
            )
