"""`workbench agreement`: how far the annotators of double-annotated documents agree."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer

from workbench.cli.common import out, project_of


def agreement(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Rows as JSON lines instead of a table."),
) -> None:
    """Pairwise span F1 (exact and overlapping) and Cohen's kappa on tokens, per label."""
    from workbench.ops.agreement import agreement as measure
    from workbench.ops.agreement import agreement_table

    project = project_of(ctx)
    conn = project.connect()
    try:
        ag = measure(conn, project.config.label_names)
    finally:
        conn.close()
    if as_json:
        for row in ag.rows:
            out.print(json.dumps(asdict(row)), soft_wrap=True)
        return
    if not ag.rows:
        out.print(
            f"No two annotators have both accepted a document yet ({ag.double_documents}"
            " double-annotated; `double_annotation` in workbench.toml sets the share)."
        )
        return
    out.print(agreement_table(ag))
