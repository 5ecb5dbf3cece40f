"""Fuzz: random bytes and mangled JSONL, CoNLL and PubTator through every reader and through
`workbench import`: a correct import or one line naming the file (and line), never a
traceback, never a changed database after a failure."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from workbench.cli import app
from workbench.errors import FormatError
from workbench.formats import FORMATS, ReadOptions, Source
from workbench.formats.registry import read_source
from workbench.project import init_project
from workbench.store.counts import table_counts

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LABELS = ("Chemical", "Disease")
STREAMED = [name for name, f in FORMATS.items() if f.stream is not None]


def _read_all(path: Path, name: str) -> None:
    list(read_source(FORMATS[name], Source.of(path), ReadOptions(labels=LABELS)))


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(STREAMED))
def test_random_bytes_are_read_or_refused_in_one_line(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in"
        path.write_bytes(data)
        try:
            _read_all(path, name)
        except FormatError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)


JSON_VALUE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 50)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def jsonl_line(draw: st.DrawFn) -> str:
    record: dict[str, object] = {}
    if draw(st.booleans()):
        record["text"] = draw(st.text(max_size=30) | JSON_VALUE)
    if draw(st.booleans()):
        record["entities"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "start": JSON_VALUE | st.integers(0, 30),
                        "end": JSON_VALUE | st.integers(0, 30),
                    },
                    optional={
                        "label": st.sampled_from([*LABELS, "Gene", ""]) | JSON_VALUE,
                        "text": st.text(max_size=6),
                        "score": JSON_VALUE,
                    },
                ),
                max_size=3,
            )
            | JSON_VALUE
        )
    if draw(st.booleans()):
        record["tokens"] = draw(
            JSON_VALUE | st.lists(st.lists(st.integers(-2, 30), max_size=3), max_size=4)
        )
    for key in draw(st.lists(st.sampled_from(["id", "meta"]), max_size=2)):
        record[key] = draw(JSON_VALUE)
    line = json.dumps(record)
    cut = draw(st.integers(0, len(line)))
    return line if draw(st.integers(0, 5)) else line[:cut]  # now and then, broken JSON


@st.composite
def conll_text(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.integers(0, 6))
        if kind == 0:
            lines.append("")
        elif kind == 1:
            lines.append(
                draw(st.sampled_from(["-DOCSTART-", "-DOCSTART- 42", "-DOCSTART- -X- -X- O"]))
            )
        else:
            token = draw(st.text(min_size=0, max_size=6))
            tag = draw(
                st.sampled_from(["O", "B-Chemical", "I-Disease", "B-Gene", "X-Chemical", "B-", ""])
            )
            sep = draw(st.sampled_from(["\t", " ", "\t\t", ""]))
            lines.append(f"{token}{sep}{tag}")
    return "\n".join(lines) + "\n"


@st.composite
def pubtator_text(draw: st.DrawFn) -> str:
    pmid = draw(st.sampled_from(["1", "2", "x|y", ""]))
    title = draw(st.text(max_size=20).map(lambda t: t.replace("\n", " ")))
    lines = [f"{pmid}|t|{title}"]
    if draw(st.booleans()):
        lines.append(f"{pmid}|a|{draw(st.text(max_size=20)).replace(chr(10), ' ')}")
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(st.integers(-2, 40)), draw(st.integers(-2, 40))
        text = title[a:b] if draw(st.booleans()) and 0 <= a < b else draw(st.text(max_size=5))
        label = draw(st.sampled_from([*LABELS, "Gene", ""]))
        extra = draw(st.sampled_from(["", "\tD001", "\tD1|D2\tx", "\t\t"]))
        lines.append(f"{draw(st.sampled_from([pmid, '9']))}\t{a}\t{b}\t{text}\t{label}{extra}")
    if draw(st.booleans()):
        lines.append(f"{pmid}\tCID\tD1\tD2")
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["", "garbage", "1\t²\t3\tx\tChemical"])))
    return "\n".join(lines) + "\n"


@FUZZ
@given(
    st.one_of(
        st.lists(jsonl_line(), min_size=1, max_size=4).map(
            lambda ls: ("jsonl", "\n".join(ls) + "\n")
        ),
        conll_text().map(lambda t: ("conll", t)),
        st.lists(pubtator_text(), min_size=1, max_size=3).map(lambda b: ("pubtator", "\n".join(b))),
    )
)
def test_mangled_files_import_fully_or_change_nothing(case: tuple[str, str]) -> None:
    name, content = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project = init_project(root / "p", ",".join(LABELS))
        src = root / f"in.{'txt' if name == 'pubtator' else name}"
        src.write_text(content, encoding="utf-8", errors="surrogatepass")
        conn = project.connect()
        before = table_counts(conn)
        conn.close()
        res = CliRunner().invoke(
            app, ["-P", str(project.root), "import", str(src), "--format", name, "--split", "train"]
        )
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        assert "Traceback" not in res.output
        conn = project.connect()
        after = table_counts(conn)
        conn.close()
        if res.exit_code != 0:
            assert len(res.output.strip().splitlines()) == 1, res.output
            assert str(src) in res.output
            assert after == before
        else:
            assert after["documents"] > before["documents"]
