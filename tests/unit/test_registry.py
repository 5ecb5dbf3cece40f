"""The format registry: every format declares itself once, and reading streams from files,
gzip, byte ranges and standard input alike."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from tests.conftest import BC5CDR, write
from workbench.errors import FormatError
from workbench.formats import FORMATS, ReadOptions, Source, choices, detect_format, get
from workbench.formats.registry import read_source

PUBTATOR = BC5CDR / "CDR_TestSet.PubTator.txt"


def test_every_format_declares_itself() -> None:
    for name, f in FORMATS.items():
        assert f.name == name
        assert f.help and "\n" not in f.help
        assert f.readable
    assert {"jsonl", "conll", "pubtator", "hf"} <= set(choices("write"))
    assert "text" not in choices("write")  # text carries no entities to write
    with pytest.raises(Exception, match="unknown format 'xml'"):
        get("xml")


@pytest.mark.parametrize("name", ["jsonl", "conll", "pubtator"])
def test_what_a_format_writes_it_reads_back(name: str, tmp_path: Path) -> None:
    f = get(name)
    assert f.write is not None
    docs = list(read_source(get("pubtator"), Source.of(PUBTATOR), ReadOptions()))[:20]
    out = io.StringIO()
    f.write(docs, out)
    path = write(tmp_path / f"x.{name}", out.getvalue())
    assert detect_format(path) == name
    back = list(read_source(f, Source.of(path), ReadOptions()))
    assert len(back) == 20
    assert [[(s.start, s.end, s.label) for s in d.spans] for d in back] == [
        [(s.start, s.end, s.label) for s in d.spans] for d in docs
    ] or name == "conll"  # CoNLL keeps the entities but joins tokens with single spaces
    if name == "conll":
        assert [[d.text[s.start : s.end] for s in d.spans] for d in back] == [
            [
                " ".join(d.text[t.start : t.end] for t in d.tokens if s.start <= t.start < s.end)
                for s in d.spans
            ]
            for d in docs
        ]


def test_gzip_is_read_by_its_magic_bytes(tmp_path: Path) -> None:
    gz = tmp_path / "cdr.pubtator.gz"
    gz.write_bytes(gzip.compress(PUBTATOR.read_bytes()))
    assert detect_format(gz) == "pubtator"
    plain = list(read_source(get("pubtator"), Source.of(PUBTATOR), ReadOptions()))
    packed = list(read_source(get("pubtator"), Source.of(gz), ReadOptions()))
    assert [(d.external_id, d.text, d.spans) for d in packed] == [
        (d.external_id, d.text, d.spans) for d in plain
    ]


def test_a_byte_range_starting_on_a_record_reads_from_there(tmp_path: Path) -> None:
    data = PUBTATOR.read_bytes()
    start = data.index(b"\n\n", len(data) // 2) + 2
    first_line = data.count(b"\n", 0, start) + 1
    src = Source(str(PUBTATOR), PUBTATOR, start=start, first_line=first_line)
    docs = list(read_source(get("pubtator"), src, ReadOptions()))
    everything = list(read_source(get("pubtator"), Source.of(PUBTATOR), ReadOptions()))
    assert [d.external_id for d in docs] == [d.external_id for d in everything[-len(docs) :]]
    assert docs[0].line == everything[-len(docs)].line  # line numbers are the file's
    head = Source(str(PUBTATOR), PUBTATOR, end=start)
    assert len(list(read_source(get("pubtator"), head, ReadOptions()))) + len(docs) == 500


@pytest.mark.parametrize(
    ("name", "content", "bad_lines", "good"),
    [
        ("jsonl", '{"text": "a b"}\n{"text": \n{"text": "c"}\n', [2], 2),
        (
            "pubtator",
            "1|t|Aspirin.\n1\t0\t7\tAspirin\tChemical\n\n2|t|Bad.\n2\t0\t9\tBad\tX\n\n3|t|Fine.\n",
            [5],
            2,
        ),
        ("conll", "a\tO\nb\tB-Chemical\n\nc\tQ-x\nd\tO\n\ne\tO\n", [4], 2),
        ("text", "fine\nna\xefve\nfine too\n", [2], 2),
    ],
)
def test_bad_records_are_reported_and_skipped_when_asked(
    tmp_path: Path, name: str, content: str, bad_lines: list[int], good: int
) -> None:
    path = write(tmp_path / "in", content.encode("latin-1") if name == "text" else content)
    errors: list[FormatError] = []
    docs = list(read_source(get(name), Source.of(path), ReadOptions(on_error=errors.append)))
    assert len(docs) == good
    assert [e.line for e in errors] == bad_lines
    with pytest.raises(FormatError) as err:
        list(read_source(get(name), Source.of(path), ReadOptions()))
    assert err.value.line == bad_lines[0]


def test_a_line_without_end_is_refused_not_read_into_memory(tmp_path: Path) -> None:
    from workbench.formats import base

    path = write(tmp_path / "zeros.txt", b"a" * (base.MAX_LINE_BYTES + 10))
    with pytest.raises(FormatError, match="a line longer than"):
        list(read_source(get("text"), Source.of(path), ReadOptions()))
