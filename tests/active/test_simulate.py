"""`workbench simulate` on a tiny corpus and a tiny BERT: curves, plots, resuming."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BC5CDR
from tests.model.conftest import tiny_bert  # noqa: F401
from workbench.cli import app
from workbench.core import Document


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


def test_simulate_writes_curves_and_resumes(
    tmp_path: Path,
    tiny_bert: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workbench.active import simulate

    trained: list[str] = []
    real_fit = simulate.fit

    def spy(docs: list[Document], *a: object, **kw: object) -> object:
        trained.append(a[-2].name)  # type: ignore[attr-defined]  # the model directory
        return real_fit(docs, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(simulate, "fit", spy)
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
    # Same seed set, recipe and seed for every strategy: round 0 is trained once and shared.
    same = ("sentences", "tokens", "precision", "recall", "f1")
    assert [rows[0][k] for k in same] == [rows[3][k] for k in same]
    assert trained == [".incoming-mnlp-13"] * 3 + [".incoming-random-13"] * 2
    assert "mnlp's round 0 (the same seed set, recipe and seed): not trained again" in res.output
    assert not (out / "models" / "round0-13").exists()  # kept only while a strategy needs it
    assert (out / "curves.png").stat().st_size > 10_000
    assert "labelled sentences" in res.stdout

    # each round's dev-sample F1 (of the epoch kept) beside its test F1
    assert all(0.0 <= float(r["dev_f1"]) <= 1.0 for r in rows)

    # A run from before the dev_f1 column: its rows are kept, the column left empty.
    old = [{k: v for k, v in r.items() if k != "dev_f1"} for r in rows]
    with (out / "curves.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(old[0]))
        writer.writeheader()
        writer.writerows(old)

    # Asking for one more round resumes: rounds 0..2 are not trained again.
    res = CliRunner().invoke(app, [*args, "--rounds", "3"])
    assert res.exit_code == 0, res.output
    again = _rows(out)
    assert again[:6] == [{**r, "dev_f1": ""} for r in rows]
    assert [(r["strategy"], r["round"]) for r in again[6:]] == [("mnlp", "3"), ("random", "3")]
    assert all(float(r["dev_f1"]) >= 0.0 for r in again[6:])

    # Other settings in the same directory are refused rather than mixed in.
    res = CliRunner().invoke(app, [*args, "--rounds", "3", "--batch", "5"])
    assert res.exit_code == 1 and "other settings (batch 10 there, 5 now)" in res.output


def _args(corpus: Path, out: Path, model: Path, *extra: str) -> list[str]:
    return [
        "simulate", "--corpus", str(corpus), "--out", str(out), "--strategy", "mnlp",
        "--seed-size", "10", "--batch", "5", "--base-model", str(model), "--epochs", "1",
        "--min-steps", "0", "--learning-rate", "3e-3", "--device", "cpu", *extra,
    ]  # fmt: skip


def test_warm_start_goes_on_from_the_previous_round(tmp_path: Path, tiny_bert: Path) -> None:  # noqa: F811
    corpus, out = _corpus(tmp_path / "corpus"), tmp_path / "sim"
    args = _args(corpus, out, tiny_bert, "--warm-start", "--strategy", "random")
    res = CliRunner().invoke(app, [*args, "--rounds", "1"])
    assert res.exit_code == 0, res.output
    assert "round 1: 15 labelled sentences, from round 0's model" in res.output
    # only the last round's model of each run is kept, for the next round to start from
    kept = sorted(p.name for p in (out / "models").iterdir())
    assert kept == ["mnlp-13-round1", "random-13-round1"]

    res = CliRunner().invoke(app, [*args, "--rounds", "2"])
    assert res.exit_code == 0, res.output
    assert "round 2: 20 labelled sentences, from round 1's model" in res.output
    assert sorted(p.name for p in (out / "models").iterdir()) == [
        "mnlp-13-round2",
        "random-13-round2",
    ]

    # a warm start cannot go on without its model: one line, nothing trained from the base
    shutil.rmtree(out / "models" / "mnlp-13-round2")
    res = CliRunner().invoke(app, [*args, "--rounds", "3"])
    assert res.exit_code == 1
    assert "the previous round's model is gone" in res.output
    assert [r["round"] for r in _rows(out) if r["strategy"] == "mnlp"] == ["0", "1", "2"]

    # a cold run in the same directory is other settings
    res = CliRunner().invoke(app, [*_args(corpus, out, tiny_bert, "--cold-start"), "--rounds", "3"])
    assert (
        res.exit_code == 1 and "other settings (--warm-start there, --cold-start now)" in res.output
    )


def test_pool_sample_scores_a_fresh_sample_each_round(
    tmp_path: Path,
    tiny_bert: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workbench.active import simulate

    scored: list[frozenset[str]] = []
    real = simulate.score_with_model

    def spy(model_dir: Path, docs: list[Document], *a: object, **kw: object) -> list[float]:
        scored.append(frozenset(d.text for d in docs))
        return real(model_dir, docs, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(simulate, "score_with_model", spy)
    corpus, out = _corpus(tmp_path / "corpus"), tmp_path / "sim"
    res = CliRunner().invoke(
        app, [*_args(corpus, out, tiny_bert, "--pool-sample", "12"), "--rounds", "2"]
    )
    assert res.exit_code == 0, res.output
    assert [len(s) for s in scored] == [12, 12, 12]  # of the 50, 45, 40 unlabelled
    assert len(set(scored)) == 3
    rows = [r for r in _rows(out) if r["strategy"] == "mnlp"]
    assert [r["sentences"] for r in rows] == ["10", "15", "20"]

    res = CliRunner().invoke(
        app, [*_args(corpus, tmp_path / "small", tiny_bert, "--pool-sample", "4"), "--rounds", "1"]
    )
    assert res.exit_code == 1
    assert "a pool sample of 4 is smaller than the batch of 5" in res.output


def test_a_scoring_strategy_takes_round_0_with_its_model(tmp_path: Path, tiny_bert: Path) -> None:  # noqa: F811
    """lc after mnlp: round 0 is not trained again, and lc still queries with round 0's model."""
    corpus, out = _corpus(tmp_path / "corpus"), tmp_path / "sim"
    args = [*_args(corpus, out, tiny_bert, "--strategy", "lc", "--warm-start"), "--rounds", "1"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert res.output.count("not trained again") == 2  # lc and random
    rows = {(r["strategy"], r["round"]): r for r in _rows(out)}
    assert rows["lc", "0"]["f1"] == rows["mnlp", "0"]["f1"] == rows["random", "0"]["f1"]
    assert rows["lc", "0"]["train_s"] == "0.0"
    # each goes on from its own copy of round 0's model
    assert "[lc seed 13] round 1: 15 labelled sentences, from round 0's model" in res.output
    assert sorted(p.name for p in (out / "models").iterdir()) == [
        "lc-13-round1",
        "mnlp-13-round1",
        "random-13-round1",
    ]


def test_a_damaged_state_is_one_line_and_kept(tmp_path: Path) -> None:
    corpus, out = _corpus(tmp_path / "corpus"), tmp_path / "sim"
    out.mkdir()
    (out / "state.json").write_text('{"config": {"batch": 5', encoding="utf-8")
    res = CliRunner().invoke(app, _args(corpus, out, tmp_path / "no-model"))
    assert res.exit_code == 1
    assert "state.json: not a simulation's state" in res.output
    assert "Traceback" not in res.output
    assert (out / "state.json").read_text(encoding="utf-8") == '{"config": {"batch": 5'


def test_the_defaults_scale_with_the_pool(tmp_path: Path, tiny_bert: Path) -> None:  # noqa: F811
    """No --batch: 2% of the pool a round; no --pool-sample: 1,000 or ten batches scored."""
    corpus, out = _corpus(tmp_path / "corpus"), tmp_path / "sim"
    args = [
        "simulate", "--corpus", str(corpus), "--out", str(out), "--seed-size", "10",
        "--base-model", str(tiny_bert), "--epochs", "1", "--min-steps", "0",
        "--device", "cpu", "--rounds", "1",
    ]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "Pool of 60 sentences: batches of 1, every unlabelled one scored" in res.output
    assert "[mnlp seed 13] round 1: 11 labelled sentences, from round 0's model" in res.output
    assert [(r["strategy"], r["sentences"]) for r in _rows(out)] == [
        ("mnlp", "10"),
        ("mnlp", "11"),
        ("random", "10"),
        ("random", "11"),
    ]
    # the same command resumes: the resolved sizes are the run's settings
    res = CliRunner().invoke(app, [*args[:-1], "2"])
    assert res.exit_code == 0, res.output
    assert [r["sentences"] for r in _rows(out)][-2:] == ["12", "12"]


def test_a_leftover_round_0_model_is_not_trusted(tmp_path: Path, tiny_bert: Path) -> None:  # noqa: F811
    """A round-0 copy no saved state vouches for (a kill while it was made) is not used."""
    corpus, out = _corpus(tmp_path / "corpus"), tmp_path / "sim"
    res = CliRunner().invoke(app, [*_args(corpus, out, tiny_bert), "--rounds", "1"])
    assert res.exit_code == 0, res.output
    half = out / "models" / "round0-13"
    half.mkdir(parents=True)
    (half / "config.json").write_text("{", encoding="utf-8")
    # a strategy added later trains its own round 0 rather than score with the leftover
    res = CliRunner().invoke(
        app, [*_args(corpus, out, tiny_bert, "--strategy", "lc"), "--rounds", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "[lc seed 13] round 0: 10 labelled sentences, from " in res.output
    assert [r["round"] for r in _rows(out) if r["strategy"] == "lc"] == ["0", "1"]
    assert not half.exists()
