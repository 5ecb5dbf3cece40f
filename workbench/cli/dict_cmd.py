"""`workbench import-dict`: a dictionary of concepts whose names are suggested with their ids."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.common import err, project_of
from workbench.ops.dictionary import import_dictionary


def import_dict(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        help="id<TAB>name<TAB>synonyms separated by | (a header line and # comments allowed), "
        "or a CTD export (CTD_chemicals.tsv, CTD_diseases.tsv; gzipped or not).",
    ),
    label: str = typer.Option(..., "--label", "-l", help="The project label its concepts are."),
) -> None:
    """Load a dictionary of concepts (MeSH, CTD): suggested with their ids. All or nothing.

    Every name and synonym is suggested as the label's entity, with its concept id where it
    names one concept, and a mention's id is proposed by a normalised match (case, accents
    and punctuation aside). An id written MESH:D000082 is stored as D000082, as PubTator and
    BC5CDR write it. A file is imported once.
    """
    r = import_dictionary(project_of(ctx), file, label)
    kind = "" if r.kind == "tsv" else f" ({r.kind})"
    err.print(
        f"Imported {r.concepts:,} concepts ({r.terms:,} terms) as {r.label} from {r.path}{kind}."
    )
