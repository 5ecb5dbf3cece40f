from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.conftest import write
from workbench.core import Span
from workbench.errors import FormatError
from workbench.formats import conll, detect_format, jsonl, pubtator, text

LABELS = ("Chemical", "Disease")

PUBTATOR = (
    "111|t|Aspirin and delirium.\n"
    "111|a|Aspirin caused acute renal failure.\n"
    "111\t0\t7\tAspirin\tChemical\tD001241\n"
    "111\t12\t20\tdelirium\tDisease\tD003693|D000001\textra one\n"
    "111\t22\t29\tAspirin\tChemical\t-1\n"
    "111\t37\t56\tacute renal failure\tDisease\tD058186\n"
    "111\tCID\tD001241\tD058186\n"
    "\n"
    "222|t|No abstract here: lithium.\n"
    "222|a|\n"
    "222\t18\t25\tlithium\tChemical\n"
)


def test_pubtator_reads_offsets_ids_and_relations(tmp_path: Path) -> None:
    docs = pubtator.read(write(tmp_path / "a.txt", PUBTATOR), labels=LABELS)
    assert [d.external_id for d in docs] == ["111", "222"]
    d = docs[0]
    assert d.text == "Aspirin and delirium. Aspirin caused acute renal failure."
    assert [d.text[s.start : s.end] for s in d.spans] == [
        "Aspirin",
        "delirium",
        "Aspirin",
        "acute renal failure",
    ]
    assert d.spans[1].meta == {"pubtator": ["D003693|D000001", "extra one"]}
    assert d.meta["pubtator"]["relations"] == [["CID", "D001241", "D058186"]]


def test_pubtator_write_gives_back_the_same_lines(tmp_path: Path) -> None:
    docs = pubtator.read(write(tmp_path / "a.txt", PUBTATOR))
    out = io.StringIO()
    pubtator.write(docs, out)
    assert out.getvalue() == PUBTATOR


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("111\t0\t99\tAspirin\tChemical\tD1", "outside the text"),
        ("111\t0\t7\tAspirn\tChemical\tD1", "differs from the document"),
        ("111\t0\t7\tAspirin\tGene\tD1", "not one of the project's labels"),
        ("111\tfoo", "not a mention"),
    ],
)
def test_pubtator_bad_mentions_are_located(tmp_path: Path, line: str, message: str) -> None:
    src = write(tmp_path / "bad.txt", "111|t|Aspirin works.\n111|a|Yes.\n" + line + "\n")
    with pytest.raises(FormatError, match=message) as err:
        pubtator.read(src, labels=LABELS)
    assert err.value.line == 3
    assert str(err.value).startswith(f"{src}:3: ")


CONLL = "Aspirin\tB-Chemical\ncauses\tO\nrenal\tB-Disease\nfailure\tI-Disease\n.\tO\n\nOk\tO\n\n"


def test_conll_one_document_per_sentence_and_exact_round_trip(tmp_path: Path) -> None:
    docs = conll.read(write(tmp_path / "a.tsv", CONLL), labels=LABELS)
    assert [d.text for d in docs] == ["Aspirin causes renal failure .", "Ok"]
    assert docs[0].spans == [Span(0, 7, "Chemical"), Span(15, 28, "Disease")]
    out = io.StringIO()
    conll.write(docs, out)
    assert out.getvalue() == CONLL


def test_conll2003_columns_and_docstart(tmp_path: Path) -> None:
    src = write(
        tmp_path / "c.conll",
        "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n"
        "Peter NNP B-NP B-PER\n\n-DOCSTART- -X- -X- O\n\nBonn NNP B-NP B-LOC\n",
    )
    docs = conll.read(src)
    assert [d.text for d in docs] == ["EU rejects\nPeter", "Bonn"]
    assert [[s.label for s in d.spans] for d in docs] == [["ORG", "PER"], ["LOC"]]
    assert docs[0].sentence_breaks() == [2]
    out = io.StringIO()
    conll.write(docs, out)
    assert out.getvalue() == (
        "-DOCSTART- -X- -X- O\n\nEU\tB-ORG\nrejects\tO\n\nPeter\tB-PER\n\n"
        "-DOCSTART- -X- -X- O\n\nBonn\tB-LOC\n\n"
    )


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("Aspirin\tB-Chemical\ncauses\n", 2, "no tag"),
        ("Aspirin\tX-Chemical\n", 1, "not in the BIO scheme"),
        ("ok\tO\n\nAspirin\tB-Gene\n", 3, "not one of the project's labels"),
    ],
)
def test_conll_errors_are_located(tmp_path: Path, content: str, line: int, message: str) -> None:
    with pytest.raises(FormatError, match=message) as err:
        conll.read(write(tmp_path / "bad.tsv", content), labels=LABELS)
    assert err.value.line == line


def test_jsonl_reads_entities_and_keeps_extras(tmp_path: Path) -> None:
    rec = {
        "id": 7,
        "text": "Aspirin helps.",
        "entities": [{"start": 0, "end": 7, "label": "Chemical", "score": 0.9, "kb": "D1"}],
        "meta": {"src": "x"},
    }
    (d,) = jsonl.read(write(tmp_path / "a.jsonl", json.dumps(rec) + "\n"), labels=LABELS)
    assert d.external_id == "7"
    assert d.spans == [Span(0, 7, "Chemical", 0.9)]
    assert d.spans[0].meta == {"kb": "D1"}
    out = io.StringIO()
    jsonl.write([d], out)
    back = json.loads(out.getvalue())
    assert back["entities"] == [
        {"start": 0, "end": 7, "label": "Chemical", "text": "Aspirin", "score": 0.9, "kb": "D1"}
    ]


@pytest.mark.parametrize(
    ("line2", "message"),
    [
        ("{not json", "not valid JSON"),
        (
            '{"text": "x", "entities": [{"start": 0, "end": 9, "label": "Chemical"}]}',
            "outside the text",
        ),
        (
            '{"text": "abc", "entities": '
            '[{"start": 0, "end": 2, "label": "Chemical", "text": "zz"}]}',
            "differs from the text",
        ),
        (
            '{"text": "abc", "entities": [{"start": 0, "end": 2, "label": "Gene"}]}',
            "not one of the project's labels",
        ),
        ("[1, 2]", "JSON object"),
        ('{"entities": []}', 'no "text"'),
    ],
)
def test_jsonl_errors_are_located(tmp_path: Path, line2: str, message: str) -> None:
    src = write(tmp_path / "b.jsonl", '{"text": "fine"}\n' + line2 + "\n")
    with pytest.raises(FormatError, match=message) as err:
        jsonl.read(src, labels=LABELS)
    assert err.value.line == 2


def test_text_one_document_per_non_empty_line(tmp_path: Path) -> None:
    docs = text.read(write(tmp_path / "a.txt", "First one.\n\n  \r\nSecond, here.\r\n"))
    assert [(d.text, d.line) for d in docs] == [("First one.", 1), ("Second, here.", 4)]
    (whole,) = text.read(write(tmp_path / "b.txt", "A.\nB.\n"), doc_per_file=True)
    assert whole.text == "A.\nB.\n"


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    src = write(tmp_path / "latin1.txt", "ok line\nna\xefve\n".encode("latin-1"))
    with pytest.raises(FormatError, match="not valid UTF-8") as err:
        text.read(src)
    assert err.value.line == 2


def test_empty_and_binary_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="empty"):
        text.read(write(tmp_path / "e.txt", "\n \n"))
    with pytest.raises(FormatError, match="binary"):
        text.read(write(tmp_path / "b.txt", b"abc\x00\x01\x02"))


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    (d,) = text.read(write(tmp_path / "bom.txt", "\ufeffAspirin.\n"))
    assert d.text == "Aspirin."


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("a.jsonl", '{"text": "x"}\n', "jsonl"),
        ("a.tsv", "x\tO\n", "conll"),
        ("a.txt", PUBTATOR, "pubtator"),
        ("a.txt", "Just some text.\n", "text"),
        ("noext", "Aspirin\tB-Chemical\n\nok\tO\n", "conll"),
        ("noext2", '{"text": "x"}\n', "jsonl"),
        ("a.pubtator", "1|t|x\n", "pubtator"),
    ],
)
def test_detect_format(tmp_path: Path, name: str, content: str, fmt: str) -> None:
    assert detect_format(write(tmp_path / name, content)) == fmt
