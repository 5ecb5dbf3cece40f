"""Document context: each sentence read with the text around it, the same way in training,
evaluation and `tag`, whether the sentence came inside its abstract or as a document of its
own from a tsv file without -DOCSTART-."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.model.conftest import make_tiny_project
from workbench.cli import app
from workbench.core import Document, Token
from workbench.core.context import with_running_context
from workbench.model.windows import Around, make_windows
from workbench.project import Project
from workbench.store.documents import iter_documents, running_context

CONTEXT = 12


def _sentence(words: list[str], external_id: str | None = None) -> Document:
    """A document as the CoNLL reader makes it: words joined by spaces, presplit."""
    tokens, at = [], 0
    for w in words:
        tokens.append(Token(at, at + len(w)))
        at += len(w) + 1
    return Document(" ".join(words), tokens, external_id=external_id, presplit=True)


def test_a_sentence_carries_whole_words_of_its_neighbours_unlabelled() -> None:
    around = Around([[20], [21, 22], [23]], [[30, 31], [32], [33]], [0] * 3, [0] * 3, limit=3)
    (w,) = make_windows([[10], [11, 12]], 0, 1, 2, max_length=32, stride=0, around=around)
    # up to 3 sub-tokens a side, whole words nearest the sentence: [21, 22], [23] | [30, 31], [32]
    assert w.input_ids == [1, 21, 22, 23, 10, 11, 12, 30, 31, 32, 2]
    # only the sentence's own words are candidates (and labelled in training)
    assert w.word_index == [-1, -1, -1, -1, 0, 1, -1, -1, -1, -1, -1]


def test_context_never_crowds_out_the_sentence() -> None:
    around = Around([[20]] * 50, [[30]] * 50, [0] * 50, [0] * 50, limit=40)
    # 10 of 14 positions are the sentence's: 2 a side are left for context
    (w,) = make_windows([[10]] * 10, 0, 1, 2, max_length=16, stride=0, around=around)
    assert w.input_ids == [1, 20, 20, *[10] * 10, 30, 30, 2]
    # a sentence longer than a window is cut as before, without context
    long = make_windows([[10]] * 30, 0, 1, 2, max_length=16, stride=4, around=around)
    assert len(long) > 1 and all(20 not in x.input_ids for x in long)


def test_sentences_of_a_file_without_ids_see_their_neighbours_and_only_those() -> None:
    docs = [
        _sentence(["a", "b", "c"]),
        _sentence(["d", "e"]),
        _sentence(["f", "g", "h"]),
        _sentence(["x", "y"], external_id="PMID1"),  # a document of its own ends the run
        _sentence(["i", "j"]),
    ]
    out = list(with_running_context(iter(docs), 4))
    assert out == docs  # the same documents, in order
    assert [d.context for d in out] == [
        ([], ["d", "e", "f", "g"]),
        (["a", "b", "c"], ["f", "g", "h"]),
        (["b", "c", "d", "e"], []),
        None,
        ([], []),
    ]


@given(st.lists(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=6), max_size=12))
def test_running_context_is_the_text_before_and_after(sentences: list[list[str]]) -> None:
    n = 5
    out = list(with_running_context((_sentence(s) for s in sentences), n))
    for i, doc in enumerate(out):
        before = [w for s in sentences[:i] for w in s]
        after = [w for s in sentences[i + 1 :] for w in s]
        assert doc.context == (before[-n:], after[:n])


@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=6), st.booleans()),
        max_size=12,
    ),
    st.integers(0, 12),
    st.integers(0, 12),
)
def test_a_slice_read_with_its_neighbours_gets_the_context_of_the_whole(
    sentences: list[tuple[list[str], bool]], i: int, j: int
) -> None:
    """A shard of a cut file, given the documents before and after it, reads as it would
    in the file whole; what comes after is read only as far as needed."""
    n = 5

    def docs() -> list[Document]:
        return [_sentence(w, "PMID" if own else None) for w, own in sentences]

    i, j = sorted((min(i, len(sentences)), min(j, len(sentences))))
    whole = [d.context for d in with_running_context(docs(), n)][i:j]
    read: list[Document] = []
    read_before: list[Document] = []

    def after(rest: list[Document]) -> Iterator[Document]:
        for d in rest:
            read.append(d)
            yield d

    def before(rest: list[Document]) -> Iterator[Document]:
        for d in rest:
            read_before.append(d)
            yield d

    all_docs = docs()
    part = with_running_context(all_docs[i:j], n, before(all_docs[:i]), after(all_docs[j:]))
    assert [d.context for d in part] == whole
    assert sum(len(d.tokens) for d in read[:-1]) < n  # stops once it has n words
    if i < j and sentences[i][1]:  # the slice opens with a document of its own
        assert not read_before  # what precedes it is nobody's context


def test_the_store_gives_a_tsv_sentence_its_neighbours_within_its_split(
    tmp_path: Path, tiny_bert: Path
) -> None:
    from workbench.store.db import transaction
    from workbench.store.selection import move_documents

    project = make_tiny_project(tmp_path, tiny_bert)
    conn = project.connect()
    try:
        dev = list(iter_documents(conn, splits=["dev"], context_words=CONTEXT))
        words = [s.document.token_texts() for s in dev]
        assert dev[1].document.context == (
            words[0][-CONTEXT:],
            (words[2] + words[3])[:CONTEXT],
        )
        assert dev[0].document.context == ([], (words[1] + words[2])[:CONTEXT])
        assert all(s.document.context is None for s in iter_documents(conn, splits=["dev"]))
        # the screens load one document at a time, and find the same context
        assert all(running_context(conn, s.id, CONTEXT) == s.document.context for s in dev)
        # and so does a sample of the split (a round's pool sample), read by its ids only
        some = list(iter_documents(conn, context_words=CONTEXT, ids=[dev[5].id, dev[1].id]))
        assert [(s.id, s.document.context) for s in some] == [
            (dev[1].id, dev[1].document.context),
            (dev[5].id, dev[5].document.context),
        ]
        # a sentence moved to test is no longer anyone's context in dev, nor they its
        with transaction(conn):
            move_documents(conn, [dev[2].id], "test")
        again = {s.id: s.document for s in iter_documents(conn, context_words=CONTEXT)}
    finally:
        conn.close()
    assert again[dev[1].id].context == (words[0][-CONTEXT:], (words[3] + words[4])[:CONTEXT])
    assert again[dev[2].id].context == ([], [])


@pytest.fixture(scope="module")
def context_tagger(tiny_tagger: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny tagger, told it reads CONTEXT sub-tokens a side (what `train --context` records)."""
    out = tmp_path_factory.mktemp("context-tagger") / "model"
    shutil.copytree(tiny_tagger, out)
    config = json.loads((out / "config.json").read_text())
    config["workbench_context"] = CONTEXT
    (out / "config.json").write_text(json.dumps(config))
    return out


def test_a_sentence_reads_the_same_in_its_abstract_and_as_a_tsv_document(
    context_tagger: Path, tiny_tagger: Path, tmp_path: Path, tiny_bert: Path
) -> None:
    """What `evaluate` scores (tsv sentences from the store) is what `tag` gives for the
    abstract: the same windows, so the same probabilities; and the neighbours matter."""
    from workbench.model.predict import Tagger

    project = make_tiny_project(tmp_path, tiny_bert)
    conn = project.connect()
    try:
        sentences = [
            s.document for s in iter_documents(conn, splits=["dev"], context_words=CONTEXT)
        ]
    finally:
        conn.close()
    tokens, at = [], 0
    for d in sentences:
        tokens += [Token(t.start + at, t.end + at) for t in d.tokens]
        at += len(d.text) + 1
    abstract = Document("\n".join(d.text for d in sentences), tokens, presplit=True)
    for path, reads_context in ((context_tagger, True), (tiny_tagger, False)):
        tagger = Tagger(path, device="cpu", precision="fp32")
        apart = np.concatenate([p.probs for p in tagger.predict(sentences)])
        (whole,) = tagger.predict([abstract])
        assert abs(apart - whole.probs).max() < 1e-4
        alone = [Document(d.text, d.tokens, presplit=True) for d in sentences]  # no neighbours
        bare = np.concatenate([p.probs for p in tagger.predict(alone)])
        assert (abs(bare - apart).max() > 1e-4) == reads_context


def test_tag_reads_a_tsv_without_docstart_as_one_running_text(
    context_tagger: Path, tmp_path: Path
) -> None:
    """`tag` on a tsv gives each sentence the entities it gets inside one document."""
    from tests.conftest import BC5CDR

    blocks = (BC5CDR / "devel.tsv").read_text(encoding="utf-8").split("\n\n")[:15]
    tsv = tmp_path / "dev.tsv"
    tsv.write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")
    one = tmp_path / "one.tsv"
    one.write_text("-DOCSTART- D1\n\n" + "\n\n".join(blocks) + "\n\n", encoding="utf-8")

    def entities(path: Path) -> list[str]:
        res = CliRunner().invoke(
            app, ["tag", str(path), "--model", str(context_tagger), "-f", "jsonl"]
        )
        assert res.exit_code == 0, res.output
        rows = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
        return [e["text"] + "/" + e["label"] for r in rows for e in r["entities"]]

    found = entities(tsv)
    assert found and found == entities(one)


def test_tag_into_shards_gives_what_tag_gives_the_file_whole(
    context_tagger: Path, tmp_path: Path
) -> None:
    """A tsv cut into shards (`tag --out`): each shard's first and last sentences still
    read their neighbours in the other shards, so no entity changes with the shard size."""
    from tests.conftest import BC5CDR

    blocks = (BC5CDR / "devel.tsv").read_text(encoding="utf-8").split("\n\n")[:120]
    tsv = tmp_path / "dev.tsv"
    tsv.write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")

    def entities(rows: list[dict[str, Any]]) -> list[list[tuple[int, int, str]]]:
        return [[(e["start"], e["end"], e["label"]) for e in r["entities"]] for r in rows]

    args = ["tag", str(tsv), "--model", str(context_tagger), "-f", "jsonl"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    whole = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    out = tmp_path / "out"
    res = CliRunner().invoke(app, [*args, "--out", str(out), "--shard-size", "2K"])
    assert res.exit_code == 0, res.output
    parts = sorted(out.glob("part-*.jsonl"))
    assert len(parts) >= 5
    sharded = [json.loads(x) for p in parts for x in p.read_text("utf-8").splitlines() if x]
    assert len(sharded) == len(whole) == 120
    assert entities(sharded) == entities(whole) and any(entities(whole))


def test_train_records_its_context_and_refuses_an_impossible_one(tiny_project: Project) -> None:
    fast = ["--epochs", "1", "--batch-size", "8", "--max-steps", "4", "--device", "cpu"]
    runner = CliRunner()
    res = runner.invoke(
        app, ["--project", str(tiny_project.root), "train", *fast, "--context", "500"]
    )
    assert res.exit_code != 0 and "--context 500" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(
        app, ["--project", str(tiny_project.root), "train", *fast, "--context", "8"]
    )
    assert res.exit_code == 0, res.output
    model = sorted((tiny_project.root / "models").iterdir())[-1]
    assert json.loads((model / "config.json").read_text())["workbench_context"] == 8


def test_no_entity_runs_from_one_sentence_into_the_next(tiny_tagger: Path) -> None:
    """Decoding is per sentence: the random tiny tagger finds many entities, none across a
    sentence end (gold never has one; an abstract tagged whole once did)."""
    from tests.conftest import BC5CDR
    from workbench.core.sentences import sentence_ranges
    from workbench.model.predict import Tagger

    blocks = (BC5CDR / "devel.tsv").read_text(encoding="utf-8").split("\n\n")[:30]
    sentences = [[line.split("\t")[0] for line in b.splitlines()] for b in blocks]
    tokens, parts, at = [], [], 0
    for words in sentences:
        doc = _sentence(words)
        tokens += [Token(t.start + at, t.end + at) for t in doc.tokens]
        parts.append(doc.text)
        at += len(doc.text) + 1
    abstract = Document("\n".join(parts), tokens, presplit=True)
    ends = [abstract.tokens[b - 1].end for _, b in sentence_ranges(abstract)]
    (found,) = Tagger(tiny_tagger, device="cpu", precision="fp32").tag([abstract])
    assert len(found) > 20
    assert all(not any(s.start < e < s.end for e in ends) for s in found)
