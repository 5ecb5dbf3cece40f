"""`workbench simulate` on a tiny corpus and a tiny BERT: curves, plots, resuming."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import BC5CDR
from tests.model.conftest import tiny_bert  # noqa: F401
from workbench.cli import app


def _corpus(root: Path) -> Path:
    root.mkdir()
    blocks = (BC5CDR / "train.tsv").read_text(encoding="utf-8").split("\n\n")
    for name, part in (
        ("train.tsv", blocks[:60]),
        ("devel.tsv", blocks[60:75]),
        ("test.tsv", blocks[75:90]),
    ):
        (root / name).write_text("\n\n".join(part) + "\n\n", encoding="utf-8")
    return root


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "curves.csv").open() as fh:
        return list(csv.DictReader(fh))


def test_simulate_writes_curves_and_resumes(tmp_path: Path, tiny_bert: Path) -> None:  # noqa: F811
    corpus, out = _corpus(tmp_path / "corpus"), tmp_path / "sim"
    args = [
        "simulate",
        "--corpus",
        str(corpus),
        "--out",
        str(out),
        "--strategy",
        "mnlp",
        "--seed-size",
        "10",
        "--batch",
        "10",
        "--base-model",
        str(tiny_bert),
        "--epochs",
        "2",
        "--min-steps",
        "0",
        "--learning-rate",
        "3e-3",
        "--device",
        "cpu",
    ]
    res = CliRunner().invoke(app, [*args, "--rounds", "2"])
    assert res.exit_code == 0, res.output
    rows = _rows(out)
    assert [(r["strategy"], r["round"], r["sentences"]) for r in rows] == [
        ("mnlp", "0", "10"),
        ("mnlp", "1", "20"),
        ("mnlp", "2", "30"),
        ("random", "0", "10"),
        ("random", "1", "20"),
        ("random", "2", "30"),
    ]
    # Same seed set for every strategy: round 0 trains on the same sentences.
    assert rows[0]["tokens"] == rows[3]["tokens"]
    assert (out / "curves.png").stat().st_size > 10_000
    assert "labelled sentences" in res.stdout

    # Asking for one more round resumes: rounds 0..2 are not trained again.
    res = CliRunner().invoke(app, [*args, "--rounds", "3"])
    assert res.exit_code == 0, res.output
    again = _rows(out)
    assert again[:6] == rows
    assert [(r["strategy"], r["round"]) for r in again[6:]] == [("mnlp", "3"), ("random", "3")]

    # Other settings in the same directory are refused rather than mixed in.
    res = CliRunner().invoke(app, [*args, "--rounds", "3", "--batch", "5"])
    assert res.exit_code == 1 and "other settings" in res.output
