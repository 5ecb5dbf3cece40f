"""Regressions found in review: each once produced a traceback, lost data or mangled text."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import write
from workbench.core import Document, tokenize
from workbench.core.sentences import sentence_ranges
from workbench.formats import conll, detect_format, pubtator


def test_user_text_is_never_read_as_markup(cli: Callable[..., Any], tmp_path: Path) -> None:
    bad = write(tmp_path / "m.tsv", "ok\tO\n[/]\n")
    res = cli("import", str(bad))
    assert res.exit_code == 1
    assert "Traceback" not in res.output and "[/]" in res.output
    write(tmp_path / "b.txt", "Benzo[a]pyrene and [bold]x[/bold] exposure.\n")
    assert cli("import", str(tmp_path / "b.txt")).exit_code == 0
    res = cli("status")
    assert "Benzo[a]pyrene and [bold]x[/bold]" in res.output


def test_pubtator_export_of_multiline_documents_reads_back(tmp_path: Path) -> None:
    docs = conll.read(
        write(
            tmp_path / "d.conll", "-DOCSTART- O\n\nAspirin\tB-Chemical\n.\tO\n\nUlcers\tB-Disease\n"
        )
    )
    out = io.StringIO()
    pubtator.write(docs, out)
    back = pubtator.read(write(tmp_path / "d.pubtator", out.getvalue()))
    assert [s.key() for s in back[0].spans] == [s.key() for s in docs[0].spans]
    assert len(back[0].text) == len(docs[0].text)


def test_empty_conll_token_is_a_located_error(
    cli: Callable[..., Any], tmp_path: Path, counts: Callable[[], dict[str, int]]
) -> None:
    before = counts()
    res = cli("import", str(write(tmp_path / "e.tsv", "ok\tO\n\tB-Chemical\n")))
    assert res.exit_code == 1 and "e.tsv:2: the token column is empty" in res.output
    assert counts() == before


def test_raw_text_with_a_trailing_newline_is_split_into_sentences() -> None:
    text = "Aspirin was given. Ulcers followed in 3 cases.\n"
    doc = Document(text, tokenize(text))
    assert len(sentence_ranges(doc)) == 2


def test_hf_export_onto_a_file_is_refused(cli: Callable[..., Any], tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Aspirin.\n")
    cli("import", str(tmp_path / "a.txt"))
    target = write(tmp_path / "taken", "keep")
    res = cli("export", str(target), "--format", "hf")
    assert res.exit_code == 1 and "is a file" in res.output
    assert target.read_text() == "keep"


def test_space_separated_conll_is_detected(tmp_path: Path) -> None:
    src = write(
        tmp_path / "eng_train", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n"
    )
    assert detect_format(src) == "conll"
