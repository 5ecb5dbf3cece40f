"""The tagger end to end on a tiny local BERT, through the same code a user runs."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import write
from tests.model.conftest import make_tiny_project
from workbench.cli import app
from workbench.project import Project

FAST = ["--epochs", "2", "--batch-size", "8", "--learning-rate", "5e-3", "--device", "cpu"]


def _cli(project: Project, *args: str, input: str | None = None) -> object:
    return CliRunner().invoke(app, ["--project", str(project.root), *args], input=input)


def _active(project: Project) -> tuple[int, str] | None:
    conn = sqlite3.connect(project.db_path)
    row = conn.execute("SELECT id, path FROM models WHERE is_active = 1").fetchone()
    conn.close()
    return None if row is None else (row[0], row[1])


@pytest.fixture
def trained(tiny_project: Project) -> Path:
    res = _cli(tiny_project, "train", *FAST)
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    active = _active(tiny_project)
    assert active is not None
    return tiny_project.root / active[1]


@pytest.fixture(scope="module")
def shared(tiny_bert: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    """One trained project for the tests that only read it (tag, evaluate): trained once."""
    project = make_tiny_project(tmp_path_factory.mktemp("shared"), tiny_bert)
    res = _cli(project, "train", *FAST)
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    active = _active(project)
    assert active is not None
    return project, project.root / active[1]


def test_train_registers_an_active_standard_model(tiny_project: Project, trained: Path) -> None:
    from transformers import pipeline

    assert (trained / "model.safetensors").is_file()
    config = json.loads((trained / "config.json").read_text())
    assert set(config["id2label"].values()) == {
        "O",
        "B-Chemical",
        "I-Chemical",
        "B-Disease",
        "I-Disease",
    }
    # The directory is a plain Hugging Face model: the pipeline loads it as it is.
    nlp = pipeline("token-classification", model=str(trained), aggregation_strategy="first")
    assert isinstance(nlp("Famotidine-associated delirium."), list)

    conn = sqlite3.connect(tiny_project.db_path)
    rnd = conn.execute("SELECT status, metrics, train_documents FROM rounds").fetchone()
    conn.close()
    assert rnd[0] == "done" and rnd[2] == 60
    metrics = json.loads(rnd[1])
    assert {"f1", "precision", "recall", "accuracy"} <= metrics.keys()
    assert set(metrics["dev"]["per_label"]) <= {"Chemical", "Disease"}
    assert metrics["test"] is None  # test is scored by `evaluate`, never by a round
    assert not list(tiny_project.models_dir.glob(".incoming-*"))


def test_train_never_reads_the_test_split(
    tiny_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test document trains a model or chooses one: the round does not even read them.
    A test split with a label the project lacks would stop a round that read it."""
    from workbench.active import corpus
    from workbench.store.documents import iter_documents

    read: list[object] = []

    def spy(conn: object, **kw: object) -> object:
        read.append(kw.get("splits"))
        return iter_documents(conn, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(corpus, "iter_documents", spy)
    conn = sqlite3.connect(tiny_project.db_path)
    with conn:
        # a new revision of every test document, with an entity of a label the project lacks
        conn.execute(
            "INSERT INTO annotations (document_id, revision, kind, origin) SELECT id, 2, 'gold',"
            " 'poison' FROM documents WHERE split = 'test'"
        )
        conn.execute(
            'INSERT INTO spans (annotation_id, position, start, "end", label, text) SELECT a.id,'
            " 0, 0, 1, 'Gene', substr(d.text, 1, 1) FROM annotations a JOIN documents d"
            " ON d.id = a.document_id WHERE a.origin = 'poison'"
        )
    conn.close()
    res = _cli(tiny_project, "train", *FAST)
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert read and all("test" not in (splits or []) for splits in read)  # type: ignore[operator]


def test_training_is_reproducible(tiny_project: Project, trained: Path) -> None:
    first = json.loads((trained / "config.json").read_text())
    res = _cli(tiny_project, "train", *FAST)
    assert res.exit_code == 0
    second_path = tiny_project.root / _active(tiny_project)[1]  # type: ignore[index]
    from safetensors.torch import load_file

    a, b = load_file(trained / "model.safetensors"), load_file(second_path / "model.safetensors")
    assert a.keys() == b.keys()
    assert all((a[k] == b[k]).all() for k in a)
    assert json.loads((second_path / "config.json").read_text())["id2label"] == first["id2label"]


def test_tag_with_model_and_no_project(
    shared: tuple[Project, Path], tmp_path: Path, monkeypatch: object
) -> None:
    _, trained = shared
    import os

    monkeypatch.chdir(tmp_path)  # type: ignore[attr-defined]
    monkeypatch.delenv("WORKBENCH_PROJECT", raising=False)  # type: ignore[attr-defined]
    src = write(tmp_path / "a.txt", "Famotidine-associated delirium.\n\nLithium toxicity.\n")
    res = CliRunner().invoke(app, ["tag", str(src), "--model", str(trained), "-f", "jsonl"])
    assert res.exit_code == 0, res.output
    recs = [json.loads(x) for x in res.stdout.splitlines()]
    assert [r["text"] for r in recs] == ["Famotidine-associated delirium.", "Lithium toxicity."]
    assert recs[0]["id"] == f"{src}:1" and recs[1]["id"] == f"{src}:3"
    for r in recs:
        for e in r["entities"]:
            assert r["text"][e["start"] : e["end"]] == e["text"]
            assert 0.0 <= e["score"] <= 1.0
    assert os.getcwd() == str(tmp_path)


def test_tag_directory_stdin_and_formats(shared: tuple[Project, Path], tmp_path: Path) -> None:
    tiny_project, _ = shared
    write(tmp_path / "in" / "a.txt", "Aspirin causes ulcers.\n")
    write(tmp_path / "in" / "sub" / "b.txt", "Cocaine and seizures.\n")
    write(tmp_path / "in" / "empty.txt", "")
    res = _cli(tiny_project, "tag", str(tmp_path / "in"), "-f", "conll")
    assert res.exit_code == 0, res.output
    assert "Aspirin\t" in res.stdout and "Cocaine\t" in res.stdout
    assert "skipped" in res.stderr and "empty.txt" in res.stderr
    res = _cli(tiny_project, "tag", "-", "-f", "pubtator", input="Heparin and thrombosis.\n")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("1|t|Heparin and thrombosis.\n")
    assert "|a|" not in res.stdout  # no abstract line for text that has none
    res = _cli(tiny_project, "tag", "-", input="Heparin and thrombosis.\n")
    assert res.exit_code == 0 and "Heparin and thrombosis." in res.stdout


def test_tag_bad_inputs_are_one_line(shared: tuple[Project, Path], tmp_path: Path) -> None:
    tiny_project, _ = shared
    for path, content, message in [
        (tmp_path / "empty.txt", "", "empty"),
        (tmp_path / "blob.bin", b"\x89PNG\x00\x01", "binary"),
    ]:
        write(path, content)
        res = _cli(tiny_project, "tag", str(path))
        assert res.exit_code == 1, res.output
        assert message in res.output and len(res.output.strip().splitlines()) == 1
    res = _cli(tiny_project, "tag", str(tmp_path / "missing.txt"))
    assert res.exit_code == 1 and "no such file" in res.output


def test_tag_a_line_of_100k_characters(shared: tuple[Project, Path], tmp_path: Path) -> None:
    tiny_project, _ = shared
    words = ["aspirin", "induced", "renal", "failure", "and", "cocaine", ".", "Heparin"]
    line = " ".join(words[i % len(words)] for i in range(20_000))[:100_000]
    assert len(line) == 100_000
    src = write(tmp_path / "long.txt", line + "\n")
    res = _cli(tiny_project, "tag", str(src), "-f", "jsonl", "--doc-per-file")
    assert res.exit_code == 0, res.output
    (rec,) = [json.loads(x) for x in res.stdout.splitlines()]
    assert rec["text"] == line + "\n"
    for e in rec["entities"]:
        assert 0 <= e["start"] < e["end"] <= len(line)
        assert rec["text"][e["start"] : e["end"]] == e["text"]


def test_tag_without_any_model_says_what_to_run(tiny_project: Project, tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "Aspirin.\n")
    res = _cli(tiny_project, "tag", str(src))
    assert res.exit_code == 4
    assert "no model yet" in res.output and "workbench train" in res.output


def test_evaluate_reports_and_needs_a_split(shared: tuple[Project, Path]) -> None:
    tiny_project, _ = shared
    res = _cli(tiny_project, "evaluate", "--split", "test")
    assert res.exit_code == 0, res.output
    assert "micro" in res.stdout and "token accuracy" in res.stdout and "missed" in res.stdout
    res = _cli(tiny_project, "evaluate", "--split", "test", "--json")
    metrics = json.loads(res.stdout)
    assert metrics["documents"] == 20 and "errors" in metrics
    res = _cli(tiny_project, "evaluate", "--split", "pool")
    assert res.exit_code == 1
    assert "no pool documents to score" in res.output


def test_train_with_nothing_to_train_on(tmp_path: Path, tiny_bert: Path) -> None:
    from workbench.project import init_project

    proj = init_project(tmp_path / "empty", "Chemical,Disease", base_model=str(tiny_bert))
    res = _cli(proj, "train", *FAST)
    assert res.exit_code == 4
    assert "nothing to train on" in res.output


def test_evaluate_without_a_test_split(tmp_path: Path, shared: tuple[Project, Path]) -> None:
    _, trained = shared
    from workbench.project import init_project

    proj = init_project(tmp_path / "no-test", "Chemical,Disease")
    res = _cli(proj, "evaluate", "--model", str(trained))
    assert res.exit_code == 1
    assert "no test documents to score" in res.output
    assert "--split test" in res.output and len(res.output.strip().splitlines()) == 1


def test_fp32_and_bf16_agree_on_most_words(shared: tuple[Project, Path]) -> None:
    tiny_project, trained = shared
    from workbench.model.predict import Tagger
    from workbench.store.documents import iter_documents

    conn = tiny_project.connect()
    docs = [s.document for s in iter_documents(conn, splits=["test"])]
    conn.close()
    fp32 = Tagger(trained, device="cpu", precision="fp32").predict(docs)
    bf16 = Tagger(trained, device="cpu", precision="bf16").predict(docs)
    agree = total = 0
    for a, b in zip(fp32, bf16, strict=True):
        agree += int((a.probs.argmax(1) == b.probs.argmax(1)).sum())
        total += len(a.probs)
    assert agree / total > 0.95


def test_a_second_round_while_one_runs_is_refused(tiny_project: Project) -> None:
    from workbench.active.round_lock import round_lock

    with round_lock(tiny_project.models_dir):  # as if another process were training
        res = _cli(tiny_project, "train", *FAST)
    assert res.exit_code == 4
    assert "already running" in res.output
    conn = sqlite3.connect(tiny_project.db_path)
    assert conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == 0
    conn.close()


def test_training_data_with_a_label_the_config_lacks(tiny_project: Project) -> None:
    toml = tiny_project.root / "workbench.toml"
    text = toml.read_text()
    toml.write_text(text[: text.index('[[labels]]\nname = "Disease"')])
    res = _cli(tiny_project, "train", *FAST)
    assert res.exit_code == 4
    assert "workbench.toml does not list (Disease)" in res.output


def test_the_round_keeps_the_epoch_best_on_dev_and_scores_it_as_evaluate_does(
    tiny_project: Project,
) -> None:
    """The dev F1 a round records is that of the model it keeps, as `evaluate` scores it;
    that model is the best of the epochs shown; `--precision fp32` is honoured and recorded."""
    res = _cli(tiny_project, "train", *FAST, "--epochs", "3", "--precision", "fp32")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    shown = [float(x) for x in re.findall(r"dev F1 (\d\.\d{4})", res.output)]  # type: ignore[attr-defined]
    assert len(shown) == 3
    conn = sqlite3.connect(tiny_project.db_path)
    metrics = json.loads(conn.execute("SELECT metrics FROM rounds").fetchone()[0])
    conn.close()
    assert metrics["train_precision"] == "fp32"
    assert round(metrics["f1"], 4) == max(shown)
    assert metrics["best_epoch"] == shown.index(max(shown)) + 1
    ev = _cli(tiny_project, "evaluate", "--split", "dev", "--json")
    assert json.loads(ev.stdout)["f1"] == pytest.approx(metrics["f1"])  # type: ignore[attr-defined]


def test_an_unknown_training_precision_is_one_line(tiny_project: Project) -> None:
    res = _cli(tiny_project, "train", *FAST, "--precision", "fp8")
    assert res.exit_code == 2 and "fp8" in res.output  # type: ignore[attr-defined]


def test_the_chooser_keeps_the_first_of_the_best(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scores 0.5, 0.7, 0.7, 0.6 on dev: the second evaluation's weights are kept."""
    from workbench.core import Document, Span
    from workbench.core.tokenize import tokenize
    from workbench.model import train

    text = "Aspirin causes ulcers."
    gold = Document(text, tokenize(text), [Span(0, 7, "Chemical")])
    found = iter([[], [Span(0, 7, "Chemical")], [Span(0, 7, "Chemical")], []])

    class Model:
        saved = 0

        def save_pretrained(self, where: str, **kw: object) -> None:
            Model.saved += 1
            Path(where).mkdir(parents=True)
            (Path(where) / "weights").write_text(str(Model.saved))

    class Tokenizer:
        def save_pretrained(self, where: str) -> None:
            pass

    class FakeTagger:
        def __init__(self, path: Path, device: str) -> None:
            pass

        def tag(self, docs: list[Document]) -> list[list[Span]]:
            return [next(found)]

    monkeypatch.setattr(train, "Tagger", FakeTagger)
    reported: list[float] = []
    chooser = train.DevChooser(
        Model(), Tokenizer(), [gold], tmp_path, "cpu", lambda e, m: reported.append(m["f1"])
    )
    for epoch in (1.0, 2.0, 3.0, 4.0):
        chooser.evaluate(epoch)
    assert reported == [0.0, 1.0, 1.0, 0.0]
    assert chooser.epoch == 2.0 and chooser.best is not None
    assert (chooser.best / "weights").read_text() == "2"
    assert [p.name for p in tmp_path.iterdir()] == [chooser.best.name]  # the others are gone


def test_a_refit_trains_on_dev_has_no_dev_score_and_auto_never_replaces_it(
    tiny_project: Project,
) -> None:
    """`train --with-dev` (BioBERT's refit): dev joins training, the model has no dev score,
    `evaluate --split dev` says so, and a later `retrain` cannot claim to beat it."""
    from rich.console import Console

    from workbench.ops.status import load_dashboard
    from workbench.tui.widgets.dashboard import model_report, rounds_table

    res = _cli(tiny_project, "train", *FAST, "--with-dev")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "No dev score" in res.output  # type: ignore[attr-defined]
    # with no dev line to print, each epoch says it is done (a refit runs an hour on a CPU)
    assert re.search(r"epoch 1/\d+ trained \(loss \d", res.output)  # type: ignore[attr-defined]
    refit = _active(tiny_project)
    assert refit is not None
    conn = sqlite3.connect(tiny_project.db_path)
    docs, metrics = conn.execute("SELECT train_documents, metrics FROM rounds").fetchone()
    conn.close()
    metrics = json.loads(metrics)
    assert docs == 80 and metrics["train_documents"] == 80  # 60 train + 20 dev
    assert metrics["refit"] is True and metrics["f1"] is None and metrics["dev"] is None

    ev = _cli(tiny_project, "evaluate", "--split", "dev")
    assert ev.exit_code == 0 and "trained on dev" in ev.output  # type: ignore[attr-defined]

    again = _cli(tiny_project, "retrain", "--epochs", "1", "--batch-size", "8", "--device", "cpu")
    assert again.exit_code == 0, again.output  # type: ignore[attr-defined]
    assert "kept, not active" in again.output  # type: ignore[attr-defined]
    assert "cannot be compared on dev" in again.output  # type: ignore[attr-defined]
    assert _active(tiny_project) == refit

    status = _cli(tiny_project, "status")
    assert status.exit_code == 0, status.output  # type: ignore[attr-defined]
    shown = " ".join(status.output.split())  # type: ignore[attr-defined]
    assert "refit on train + dev: no dev score" in shown and "refit (+dev)" in shown
    conn = tiny_project.connect()
    try:
        data = load_dashboard(tiny_project, conn)
    finally:
        conn.close()
    console = Console(width=120, record=True)
    console.print(rounds_table(data), model_report(data))
    shown = " ".join(console.export_text().split())
    assert "train +dev" in shown and "refit on train + dev: it has no dev score" in shown
