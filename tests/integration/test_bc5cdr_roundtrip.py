"""The real corpus: import then export gives back the same content."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BC5CDR
from workbench.cli import app


@pytest.mark.parametrize("split_file", ["train.tsv", "devel.tsv", "test.tsv"])
def test_conll_round_trip_is_identical(tmp_path: Path, split_file: str) -> None:
    runner = CliRunner()
    proj = str(tmp_path / "p")
    assert runner.invoke(app, ["init", proj]).exit_code == 0
    res = runner.invoke(app, ["-P", proj, "import", str(BC5CDR / split_file), "--split", "train"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "out.tsv"
    res = runner.invoke(app, ["-P", proj, "export", str(out), "--format", "conll"])
    assert res.exit_code == 0, res.output
    src = (BC5CDR / split_file).read_text(encoding="utf-8")
    back = out.read_text(encoding="utf-8")
    # Sentence for sentence, token for token, tag for tag: the files are equal.
    assert back.split("\n\n") == src.split("\n\n")
    assert back == src


def _blocks(text: str) -> dict[str, dict[str, object]]:
    docs: dict[str, dict[str, object]] = {}
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        pmid = lines[0].split("|", 1)[0]
        docs[pmid] = {
            "title": lines[0],
            "abstract": lines[1],
            "mentions": [ln for ln in lines[2:] if ln.split("\t")[1].isdigit()],
            "relations": [ln for ln in lines[2:] if not ln.split("\t")[1].isdigit()],
        }
    return docs


def test_pubtator_round_trip_keeps_every_document(tmp_path: Path) -> None:
    runner = CliRunner()
    proj = str(tmp_path / "p")
    runner.invoke(app, ["init", proj])
    src_path = BC5CDR / "CDR_TestSet.PubTator.txt"
    res = runner.invoke(app, ["-P", proj, "import", str(src_path)])
    assert res.exit_code == 0, res.output
    assert "500 documents (9,809 entities)" in res.output
    out = tmp_path / "out.pubtator"
    assert runner.invoke(app, ["-P", proj, "export", str(out), "-f", "pubtator"]).exit_code == 0
    src = _blocks(src_path.read_text(encoding="utf-8"))
    back = _blocks(out.read_text(encoding="utf-8"))
    assert len(src) == 500
    assert list(back) == list(src)
    for pmid, doc in src.items():
        assert back[pmid] == doc, pmid
    assert sum(len(d["relations"]) for d in back.values()) == 1066  # type: ignore[arg-type]
