"""The field's exchange formats: the BC5CDR test set through BioC (XML and JSON) comes back
as the same PubTator file (mentions, ids, relations); through brat, the same mentions."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BC5CDR
from workbench.cli import app
from workbench.formats import detect_format, pubtator

PUBTATOR = BC5CDR / "CDR_TestSet.PubTator.txt"


def _run(*args: str) -> None:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output


def _project_with_cdr(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    _run("init", str(root))
    _run("-P", str(root), "import", str(PUBTATOR), "--split", "test")
    return root


@pytest.mark.parametrize(("fmt", "out_name"), [("bioc", "cdr.xml"), ("bioc-json", "cdr.json")])
def test_bioc_round_trip_gives_back_the_pubtator_file(
    tmp_path: Path, fmt: str, out_name: str
) -> None:
    first = _project_with_cdr(tmp_path, "a")
    exported = tmp_path / out_name
    _run("-P", str(first), "export", str(exported), "-f", fmt)
    assert detect_format(exported) == fmt
    second = tmp_path / "b"
    _run("init", str(second))
    _run("-P", str(second), "import", str(exported), "--split", "test")
    back = tmp_path / "back.pubtator"
    _run("-P", str(second), "export", str(back), "-f", "pubtator")
    original = [b for b in PUBTATOR.read_text(encoding="utf-8").strip().split("\n\n")]
    returned = [b for b in back.read_text(encoding="utf-8").strip().split("\n\n")]
    assert returned == original  # every mention, id, extra field and CID relation


def test_brat_round_trip_keeps_every_mention(tmp_path: Path) -> None:
    first = _project_with_cdr(tmp_path, "a")
    out = tmp_path / "brat"
    _run("-P", str(first), "export", str(out), "-f", "brat")
    assert len(list(out.glob("*.ann"))) == 500
    assert detect_format(out) == "brat"
    second = tmp_path / "b"
    _run("init", str(second))
    _run("-P", str(second), "import", str(out), "--split", "test")
    back = tmp_path / "back.pubtator"
    _run("-P", str(second), "export", str(back), "-f", "pubtator")
    gold = {d.external_id: d for d in pubtator.read(PUBTATOR)}
    for d in pubtator.read(back):
        g = gold[d.external_id]
        assert d.text == g.text
        assert [(s.start, s.end, s.label) for s in d.spans] == [
            (s.start, s.end, s.label) for s in g.spans
        ]


def test_brat_refuses_a_mention_that_misses_its_text(tmp_path: Path) -> None:
    root = tmp_path / "p"
    _run("init", str(root))
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("Aspirin helps.", encoding="utf-8")
    (d / "a.ann").write_text("T1\tChemical 0 7\tAspirn\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["-P", str(root), "import", str(d)])
    assert res.exit_code == 1 and f"{d / 'a.ann'}:1:" in res.output and "differs" in res.output
