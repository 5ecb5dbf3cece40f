"""Two `retrain` rounds on a tiny local BERT: recorded, scored, queue re-ordered, no regression."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BC5CDR, SAMPLE
from tests.model.conftest import _slice_conll, tiny_bert, tiny_project  # noqa: F401
from workbench.cli import app
from workbench.ops.importing import import_files
from workbench.project import Project, init_project
from workbench.store.documents import append_revision, iter_documents
from workbench.store.queue import queue


def _cli(project: Project, *args: str) -> object:
    return CliRunner().invoke(app, ["--project", str(project.root), *args])


def _rows(project: Project, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(project.db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_two_rounds(tiny_project: Project) -> None:  # noqa: F811
    import_files(tiny_project, [SAMPLE / "abstracts.txt"])  # 20 raw abstracts: the pool
    res = _cli(
        tiny_project,
        "retrain",
        "--epochs",
        "30",
        "--learning-rate",
        "1e-2",
        "--device",
        "cpu",
        "--batch",
        "5",
    )
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "made active" in res.stdout  # type: ignore[attr-defined]
    assert "quick first round" in res.output  # type: ignore[attr-defined]
    assert "at learning rate 0.01," in res.output  # the one given, not the quick default
    (r1,) = _rows(tiny_project, "SELECT id, kind, strategy, status, promoted, metrics FROM rounds")
    assert json.loads(r1[5])["note"].startswith("quick first round")  # type: ignore[arg-type]
    shown = " ".join(_cli(tiny_project, "status").stdout.split())  # type: ignore[attr-defined]
    assert "quick first" in shown
    assert r1[1:5] == ("retrain", "mnlp", "done", 1)
    first_f1 = json.loads(r1[5])["f1"]  # type: ignore[arg-type]
    assert first_f1 > 0.0
    scores = dict(_rows(tiny_project, "SELECT document_id, score FROM queue_scores"))
    assert len(scores) == 20

    conn = tiny_project.connect()
    q1 = queue(conn)
    assert [d for d, _ in q1] == sorted(scores, key=lambda d: (-scores[d], d))  # type: ignore
    # The curator accepts the head of the queue (with the model's spans, unchanged).
    head = q1[0][0]
    append_revision(conn, head, [], kind="accepted", status="accepted")
    conn.close()

    # A round that cannot learn (learning rate ~0 from the base) is worse: not promoted.
    res = _cli(
        tiny_project,
        "retrain",
        "--cold-start",
        "--epochs",
        "1",
        "--learning-rate",
        "1e-9",
        "--strategy",
        "lc",
        "--device",
        "cpu",
    )
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "kept, not active" in res.stdout, (first_f1, res.stdout)  # type: ignore[attr-defined]
    rounds = _rows(
        tiny_project,
        "SELECT id, status, promoted, train_documents, metrics FROM rounds ORDER BY id",
    )
    assert [(r[1], r[2], r[3]) for r in rounds] == [("done", 1, 60), ("done", 0, 61)]
    assert json.loads(rounds[1][4])["f1"] < first_f1  # type: ignore[arg-type]
    active = _rows(tiny_project, "SELECT round_id FROM models WHERE is_active = 1")
    assert active == [(rounds[0][0],)]

    # The queue now follows round 2's scores (lc), without the accepted document.
    conn = tiny_project.connect()
    q2 = queue(conn)
    conn.close()
    latest = dict(
        _rows(
            tiny_project,
            f"SELECT document_id, score FROM queue_scores WHERE round_id = {rounds[1][0]}",
        )
    )
    assert head not in latest and len(latest) == 19
    assert [d for d, _ in q2] == sorted(latest, key=lambda d: (-latest[d], d))  # type: ignore
    res = _cli(tiny_project, "status")
    assert "Queue: 19 pool documents" in res.stdout  # type: ignore[attr-defined]


def test_too_few_documents_says_how_many_more(tmp_path: Path, tiny_bert: Path) -> None:  # noqa: F811
    from workbench.project import init_project

    proj = init_project(tmp_path / "p", "Chemical,Disease", base_model=str(tiny_bert))
    import_files(proj, [SAMPLE / "abstracts.txt"])
    conn = proj.connect()
    for stored in list(iter_documents(conn))[:3]:
        append_revision(conn, stored.id, [], kind="accepted", status="accepted")
    conn.close()
    res = _cli(proj, "retrain", "--device", "cpu")
    assert res.exit_code == 1  # type: ignore[attr-defined]
    assert "need at least 10 accepted documents" in res.output  # type: ignore[attr-defined]
    assert "(have 3)" in res.output and "accept 7 more" in res.output  # type: ignore


def test_bald_through_the_tagger_is_zero_without_dropout(tiny_project: Project) -> None:  # noqa: F811
    from workbench.active.strategies import bald
    from workbench.model.predict import Tagger

    res = _cli(tiny_project, "train", "--epochs", "1", "--device", "cpu")
    assert res.exit_code == 0
    path = tiny_project.root / _rows(tiny_project, "SELECT path FROM models")[0][0]  # type: ignore
    conn = tiny_project.connect()
    docs = [s.document for s in iter_documents(conn, splits=["dev"])]
    conn.close()
    tagger = Tagger(path, device="cpu", precision="fp32")
    off = tagger.predict(docs, mc_samples=4, mc_dropout=0.0)
    on = tagger.predict(docs, mc_samples=4, mc_dropout=0.5)
    assert all(bald(p.samples) < 1e-6 for p in off)  # type: ignore[arg-type]
    assert sum(bald(p.samples) for p in on) > 0  # type: ignore[arg-type]


def test_retrain_from_the_command_line_chooses_epochs_on_a_dev_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`retrain` (and `R`, which runs it) compares its epochs on a sample of dev, as the
    round's recipe says: a full dev pass per epoch made a round on 2 cores three times longer."""
    from workbench.ops import training
    from workbench.project import init_project

    project = init_project(tmp_path / "proj", "Chemical,Disease")
    seen: list[training.RetrainOptions] = []

    def fake(project: Project, opts: training.RetrainOptions, log: object, progress: object):  # type: ignore[no-untyped-def]
        seen.append(opts)
        raise training.WorkbenchError("stop here")

    monkeypatch.setattr(training, "retrain", fake)
    res = CliRunner().invoke(app, ["-P", str(project.root), "retrain", "--epochs", "2"])
    assert res.exit_code != 0 and "stop here" in res.output
    assert seen[0].train.dev_sample == training.ROUND_DEV_SAMPLE and seen[0].train.epochs == 2


def test_min_steps_stretches_a_small_round(tiny_project: Project) -> None:  # noqa: F811
    """`--min-steps`: 60 training sentences at batch 16 are 4 steps an epoch, so 3 epochs
    are 12 steps; 40 steps at least make the round 10 epochs."""
    res = _cli(tiny_project, "retrain", "--device", "cpu")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "; 3 epochs on cpu" in " ".join(res.output.split())  # type: ignore[attr-defined]
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--min-steps", "40")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "; 10 epochs on cpu" in " ".join(res.output.split())  # type: ignore[attr-defined]


def test_a_slow_machine_gets_a_shorter_quick_first_round(
    tiny_project: Project,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A CPU without bf16 took 208 s for the quick round's 250 steps: where the probe says a
    step is that slow, the first model trains only the steps that fit the quick round's
    time, says so and records them; the next round trains its full recipe."""
    import workbench.model.train as train

    monkeypatch.setattr(train, "probe_step_seconds", lambda *a, **k: 0.8)
    # 60 sentences at batch 16: 4 steps an epoch, 50 epochs are 200 steps; 90 s hold 112
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "50")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    said = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "about 0.80 s here: 110 steps" in said
    assert "at learning rate 0.0003," in said  # none given: the quick round's own
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "50")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    totals = [t for (t,) in _rows(tiny_project, "SELECT progress_total FROM rounds ORDER BY id")]
    assert totals == [110, 200]


def _to_top_of_config(project: Project, line: str) -> None:
    """A setting above the [[labels]] tables (below them it would belong to the last)."""
    path = project.root / "workbench.toml"
    path.write_text(line + "\n" + path.read_text("utf-8"), "utf-8")


def test_a_round_scores_a_fresh_sample_of_a_large_pool(tiny_project: Project) -> None:  # noqa: F811
    """A pool of millions cannot be scored every round: a round scores a random sample,
    drawn afresh each round, and the queue puts the sample's most uncertain first."""
    import_files(tiny_project, [SAMPLE / "abstracts.txt"])  # 20 pool documents
    args = ("retrain", "--device", "cpu", "--epochs", "1", "--batch", "2", "--pool-sample", "8")
    drawn = []
    for _ in range(2):
        res = _cli(tiny_project, *args)
        assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
        said = " ".join(res.stdout.split())  # type: ignore[attr-defined]
        assert "Scored 8 of the pool's 20 documents (a random sample, drawn afresh" in said
        (latest,) = _rows(tiny_project, "SELECT MAX(id) FROM rounds")[0]
        scores = dict(
            _rows(
                tiny_project,
                f"SELECT document_id, score FROM queue_scores WHERE round_id = {latest}",
            )
        )
        assert len(scores) == 8
        conn = tiny_project.connect()
        q = queue(conn)
        conn.close()
        assert [d for d, _ in q[:8]] == sorted(scores, key=lambda d: (-scores[d], d))  # type: ignore
        unscored = [d for d, s in q[8:]]
        assert all(s is None for _, s in q[8:]) and unscored == sorted(unscored)
        assert len(q) == 20  # nothing left the queue for not being scored
        drawn.append(set(scores))
    assert drawn[0] != drawn[1]
    # `random` needs no model to score: all of the pool is shuffled, whatever the sample.
    res = _cli(tiny_project, *args, "--strategy", "random")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "Scored 20 pool documents with random" in " ".join(res.stdout.split())  # type: ignore
    assert "random shuffles the whole pool" in res.output  # the sample given is not taken

    # The project's setting (what `R` in the annotate screen runs with), which a new
    # project's workbench.toml names in a comment: uncommented, 0 scores all.
    toml = tiny_project.root / "workbench.toml"
    assert "\n# pool_sample = 0\n" in toml.read_text("utf-8")
    toml.write_text(toml.read_text("utf-8").replace("# pool_sample = 0", "pool_sample = 0"))
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "Scored 20 pool documents with mnlp" in " ".join(res.stdout.split())  # type: ignore


def test_a_pool_sample_smaller_than_the_batch_is_refused_before_training(
    tiny_project: Project,  # noqa: F811
) -> None:
    import_files(tiny_project, [SAMPLE / "abstracts.txt"])
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--batch", "5", "--pool-sample", "3")
    assert res.exit_code == 1, res.output  # type: ignore[attr-defined]
    assert "a pool sample of 3 is smaller than the batch of 5" in res.output  # type: ignore
    assert "Traceback" not in res.output  # type: ignore[attr-defined]
    assert _rows(tiny_project, "SELECT COUNT(*) FROM rounds") == [(0,)]
    _to_top_of_config(tiny_project, "pool_sample = -1")
    res = _cli(tiny_project, "retrain", "--device", "cpu")
    assert res.exit_code != 0 and "pool_sample" in res.output  # type: ignore[attr-defined]
    assert len(res.output.strip().splitlines()) == 1, res.output  # type: ignore[attr-defined]


def _bases(project: Project) -> list[str]:
    return [str(b) for (b,) in _rows(project, "SELECT base_model FROM models ORDER BY id")]


def test_a_later_round_goes_on_from_the_active_model(tiny_project: Project) -> None:  # noqa: F811
    """From 500 sentences a second round from the base fell below the quick first round
    (dev 0.56 against 0.67) where going on from it rose to 0.69: later rounds go on from
    the active model, unless dev trained it or its labels or base are not the project's."""
    for _ in range(2):
        res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "2")
        assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    said = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "Going on from the active model, model-0001 (--cold-start: from the base)" in said
    tiny, second = _bases(tiny_project)
    assert Path(second).name == "model-0001" and Path(tiny).name != "model-0001"
    config = json.loads((tiny_project.root / "models/model-0002/config.json").read_text())
    assert config["workbench_base"] == tiny  # the base it grew from, through model-0001
    (last,) = _rows(tiny_project, "SELECT metrics FROM rounds ORDER BY id DESC LIMIT 1")[0]
    assert json.loads(last)["went_on_from"] == "model-0001"  # type: ignore[arg-type]
    # `status` says so in the round's note (a table cell, perhaps wrapped over two lines)
    shown = re.sub(r"[\s│┃]+", " ", _cli(tiny_project, "status").stdout)  # type: ignore
    assert "from model-0001" in shown, shown

    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1", "--cold-start")
    assert res.exit_code == 0 and "Going on" not in res.output  # type: ignore[attr-defined]
    assert _bases(tiny_project)[-1] == tiny

    # labels added to workbench.toml: the active model cannot tag them
    toml = tiny_project.root / "workbench.toml"
    toml.write_text(
        toml.read_text("utf-8") + '[[labels]]\nname = "Gene"\nkey = "3"\ncolour = "green"\n'
    )
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1", "--warm-start")
    assert res.exit_code == 1, res.output  # type: ignore[attr-defined]
    assert "--warm-start: the active model's labels are not workbench.toml's" in res.output  # type: ignore
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    said = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "trains from the base model: the active model's labels are not" in said
    assert _bases(tiny_project)[-1] == tiny


def test_a_round_never_goes_on_from_a_refit(tiny_project: Project) -> None:  # noqa: F811
    """A model dev trained (`train --with-dev`) would make every later round's dev score
    no measure: no round goes on from it, and asking for it says why."""
    res = _cli(tiny_project, "train", "--device", "cpu", "--epochs", "1", "--with-dev")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1", "--warm-start")
    assert res.exit_code == 1, res.output  # type: ignore[attr-defined]
    assert "Traceback" not in res.output  # type: ignore[attr-defined]
    assert "--warm-start: dev trained the active model (a refit)" in res.output  # type: ignore
    assert len(_bases(tiny_project)) == 1  # no round trained
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    said = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "This round trains from the base model: dev trained the active model" in said
    first, second = _bases(tiny_project)
    assert second == first  # the project's base, not the refit


def test_a_round_goes_on_reading_the_context_its_model_reads(tiny_project: Project) -> None:  # noqa: F811
    """A model trained to read its sentences' neighbours (`train --context`) still reads
    them after a round went on from it: `tag` and the screens read what it was trained on."""
    res = _cli(tiny_project, "train", "--device", "cpu", "--epochs", "1", "--context", "8")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "Going on from the active model" in res.output  # type: ignore[attr-defined]
    config = json.loads((tiny_project.root / "models/model-0002/config.json").read_text())
    assert config["workbench_context"] == 8
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1", "--cold-start")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    config = json.loads((tiny_project.root / "models/model-0003/config.json").read_text())
    assert config["workbench_context"] == 0  # from the base: retrain's own recipe


def test_without_a_dev_split_a_round_goes_on_judged_on_documents_it_never_trained_on(
    tmp_path: Path,
    tiny_bert: Path,  # noqa: F811
) -> None:
    """A project with no dev split holds out the same texts every round, so a round may go
    on from the active model; a model that does not record what trained it (made before) is
    not gone on from there, since the next round's dev might have."""
    project = init_project(tmp_path / "p", "Chemical,Disease", base_model=str(tiny_bert))
    import_files(
        project, [_slice_conll(BC5CDR / "train.tsv", tmp_path / "t.tsv", 60)], split="train"
    )
    for _ in range(2):
        res = _cli(project, "retrain", "--device", "cpu", "--epochs", "1")
        assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    said = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "No dev split: holding out" in said
    assert "Going on from the active model, model-0001" in said
    first, second = (
        set((project.root / f"models/model-000{n}/workbench_trained_on.txt").read_text().split())
        for n in (1, 2)
    )
    assert len(first) == len(second) < 60 and first == second  # the same 60 less the same dev

    (project.root / "models/model-0002/workbench_trained_on.txt").unlink()  # as made before
    res = _cli(project, "retrain", "--device", "cpu", "--epochs", "1", "--warm-start")
    assert res.exit_code == 1, res.output  # type: ignore[attr-defined]
    assert len(res.output.strip().splitlines()) == 1, res.output  # type: ignore[attr-defined]
    assert "does not record which documents trained it" in res.output  # type: ignore
    res = _cli(project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    said = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "This round trains from the base model: the active model does not record" in said
    assert _bases(project)[-1] == _bases(project)[0]


def test_documents_moved_from_train_into_dev_stop_a_round_going_on(
    tiny_project: Project,  # noqa: F811
) -> None:
    """`workbench split dev` of documents that trained the active model: a round going on
    from it would be judged on them, so it trains from the base and says why."""
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    res = _cli(tiny_project, "split", "dev", "--from", "train", "--sample", "5")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    said = " ".join(res.output.split())  # type: ignore[attr-defined]
    assert "trains from the base model: 5 of the documents a round is judged on trained" in said
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert "Going on from the active model, model-0002" in " ".join(res.output.split())  # type: ignore


def test_a_damaged_or_older_active_model(tiny_project: Project) -> None:  # noqa: F811
    """An active model without its weights is not gone on from (a round from the base runs,
    --warm-start says why in one line), nor loads as a base; one that records no base model
    (made before models did) may be gone on from when asked, and its folder is recorded as
    no one's base."""
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    first = tiny_project.root / "models/model-0001"
    config = json.loads((first / "config.json").read_text())
    del config["workbench_base"]
    (first / "config.json").write_text(json.dumps(config))
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert "does not record the base model it grew from" in " ".join(res.output.split())  # type: ignore
    res = _cli(tiny_project, "activate", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1", "--warm-start")
    assert res.exit_code == 0 and "Going on" in res.output, res.output  # type: ignore[attr-defined]
    third = json.loads((tiny_project.root / "models/model-0003/config.json").read_text())
    assert "workbench_base" not in third  # unknown, and not model-0001's folder

    res = _cli(tiny_project, "activate", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    (first / "model.safetensors").unlink()
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1", "--warm-start")
    assert res.exit_code == 1, res.output  # type: ignore[attr-defined]
    assert "--warm-start: the active model cannot be read (no weights" in res.output  # type: ignore
    assert len(res.output.strip().splitlines()) == 1, res.output  # type: ignore[attr-defined]
    res = _cli(tiny_project, "retrain", "--device", "cpu", "--epochs", "1")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "trains from the base model: the active model cannot be read" in " ".join(
        res.output.split()  # type: ignore[attr-defined]
    )
    # as a base: without weights, without a tokenizer, with weights that are not safetensors
    second = tiny_project.root / "models/model-0002"
    for name in ("tokenizer.json", "vocab.txt"):
        (second / name).unlink(missing_ok=True)
    (first / "model.safetensors").write_bytes(b"not safetensors")
    for base, why in (
        (tiny_project.root / "models/model-0003", ""),
        (second, "a model directory without its tokenizer"),
        (first, "cannot be loaded as a base model"),
    ):
        if not why:
            (base / "model.safetensors").unlink()
            why = "a model directory without its weights"
        res = _cli(
            tiny_project, "train", "--device", "cpu", "--epochs", "1", "--base-model", str(base)
        )
        assert res.exit_code == 4, res.output  # type: ignore[attr-defined]
        assert why in res.output, res.output  # type: ignore[attr-defined]
        assert len(res.output.strip().splitlines()) == 1, res.output  # type: ignore
    assert len(_bases(tiny_project)) == 4  # nothing registered for the failed trains


def test_a_model_grown_from_the_projects_hub_base_is_gone_on_from_off_the_hub(
    tmp_path: Path,
) -> None:
    """The project's base is a Hub name this machine cannot reach: the active model that grew
    from it is gone on from (a round from the base would fall back to the bundled encoder)."""
    from workbench.ops.training import cannot_go_on_from

    project = init_project(tmp_path / "p", "Chemical,Disease", base_model="dmis-lab/no-such")
    model = tmp_path / "p" / "models" / "model-0001"
    model.mkdir(parents=True)
    tags = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]
    config = {"id2label": dict(enumerate(tags)), "workbench_base": "dmis-lab/no-such"}
    (model / "config.json").write_text(json.dumps(config))
    (model / "model.safetensors").write_bytes(b"")
    (model / "tokenizer.json").write_text("{}")
    (model / "workbench_trained_on.txt").write_text("")  # no document (the project has none)
    assert cannot_go_on_from(project, model) == ""
