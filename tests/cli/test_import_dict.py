"""`workbench import-dict`: a dictionary in, refused twice, bad input changes nothing, and its
terms suggested with their concept ids before any model exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import query, write
from workbench.ops.suggest import Suggester
from workbench.project import Project
from workbench.store.documents import iter_documents

Cli = Callable[..., Any]

CHEMICALS = (
    "# Fields:\n"
    "# ChemicalName\tChemicalID\tCasRN\tDefinition\tParentIDs\tTreeNumbers\tParentTreeNumbers"
    "\tSynonyms\n"
    "Acetaminophen\tMESH:D000082\t103-90-2\t\t\t\t\tParacetamol|APAP\n"
    "Lithium Carbonate\tMESH:D016651\t554-13-2\t\t\t\t\tLithium Carbonate (2:1)|Lithobid\n"
)


def _one_line(res: Any) -> str:
    out = str(res.output).strip()
    assert len(out.splitlines()) == 1, out
    assert "Traceback" not in out
    return out


def test_import_stores_the_concepts_with_their_ids(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    path = write(tmp_path / "CTD_chemicals.tsv", CHEMICALS)
    res = cli("import-dict", str(path), "--label", "Chemical")
    assert res.exit_code == 0, res.output
    assert _one_line(res) == (
        f"Imported 2 concepts (6 terms) as Chemical from {path} (CTD chemicals)."
    )
    assert query(project.db_path, "SELECT label, entries, terms FROM dictionaries") == [
        ("Chemical", 2, 6)
    ]
    assert query(
        project.db_path, "SELECT concept_id, name, term, folded FROM dictionary_terms LIMIT 2"
    ) == [
        ("D000082", "Acetaminophen", "Acetaminophen", "acetaminophen"),
        ("D000082", "Acetaminophen", "Paracetamol", "paracetamol"),
    ]
    status = cli("status")
    assert "Dictionary 1: 2 Chemical concepts, 6 terms (CTD_chemicals.tsv)" in status.output


def test_the_same_file_twice_is_refused(
    cli: Cli, tmp_path: Path, counts: Callable[[], dict[str, int]]
) -> None:
    path = write(tmp_path / "chem.tsv", "D1\tAspirin\tASA\n")
    assert cli("import-dict", str(path), "--label", "Chemical").exit_code == 0
    before = counts()
    again = write(tmp_path / "copy.tsv", "D1\tAspirin\tASA\n")  # another name, the same content
    res = cli("import-dict", str(again), "--label", "Disease")
    assert res.exit_code == 1
    assert "was imported before (dictionary 1, as Chemical" in _one_line(res)
    assert counts() == before


def test_an_unknown_label_lists_the_known_ones(
    cli: Cli, tmp_path: Path, counts: Callable[[], dict[str, int]]
) -> None:
    before = counts()
    path = write(tmp_path / "genes.tsv", "672\tBRCA1\n")
    res = cli("import-dict", str(path), "--label", "Gene")
    assert res.exit_code == 1
    assert "'Gene' is not one of the project's labels (Chemical, Disease)" in _one_line(res)
    assert counts() == before
    res = cli("import-dict", str(path))  # no --label: a usage error
    assert res.exit_code == 2


def test_a_bad_line_stores_nothing(
    cli: Cli, tmp_path: Path, counts: Callable[[], dict[str, int]]
) -> None:
    before = counts()
    lines = [f"D{i:06d}\tChemical {i}\tsynonym {i}" for i in range(1, 500)]
    lines.insert(300, "D999999")  # line 301: an id without a name
    path = write(tmp_path / "chem.tsv", "\n".join(lines) + "\n")
    res = cli("import-dict", str(path), "--label", "Chemical")
    assert res.exit_code == 1
    assert f"{path}:301: one column only" in _one_line(res)
    assert counts() == before


def test_a_binary_file_and_a_missing_one(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "blob.tsv", b"\x00\x01\x02")
    res = cli("import-dict", str(path), "--label", "Chemical")
    assert res.exit_code == 1 and "binary" in _one_line(res)
    res = cli("import-dict", str(tmp_path / "nope.tsv"), "--label", "Chemical")
    assert res.exit_code == 1 and "no such file" in _one_line(res)


def test_without_a_model_the_dictionary_is_suggested_with_its_ids(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    text = write(
        tmp_path / "pool.txt", "Paracetamol, unlike lithium carbonate, spared the liver.\n"
    )
    assert cli("import", str(text)).exit_code == 0
    chem = write(tmp_path / "CTD_chemicals.tsv", CHEMICALS)
    assert cli("import-dict", str(chem), "--label", "Chemical").exit_code == 0

    suggester = Suggester(project)
    suggester.load()
    assert suggester.origin == "lexicon"
    assert suggester.concepts.unique("paracetamol", "Chemical") is not None
    conn = project.connect()
    try:
        (stored,) = list(iter_documents(conn, splits=["pool"]))
    finally:
        conn.close()
    doc = stored.document
    (spans,) = suggester.suggest([doc])
    assert [(doc.text[s.start : s.end], s.label, s.meta.get("concept")) for s in spans] == [
        ("Paracetamol", "Chemical", "D000082"),
        ("lithium carbonate", "Chemical", "D016651"),
    ]
