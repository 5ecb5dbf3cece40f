"""`tag --runtime onnx`: the model exported once beside its weights, then ONNX Runtime tags
what torch tags; a missing package or a failed export says so and leaves the model as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.model.test_tag_scale import _jsonl, _pubtator_head
from workbench.cli import app

pytest.importorskip("onnxruntime")


def _model(tiny_tagger: Path, tmp_path: Path) -> Path:
    """A copy: an export writes into the model directory, and the tiny tagger is shared."""
    return Path(shutil.copytree(tiny_tagger, tmp_path / "model"))


def _argv(model: Path, src: Path, *args: str) -> list[str]:
    return ["tag", str(src), "--model", str(model), "--device", "cpu", "--format", "jsonl", *args]


def _tag(model: Path, src: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    res = CliRunner().invoke(app, _argv(model, src, *args))
    return res.exit_code, _jsonl(res.stdout), res.stderr


def _entities(rows: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {
        (row["id"], e["start"], e["end"], e["label"])  # type: ignore[index]
        for row in rows
        for e in row["entities"]  # type: ignore[attr-defined]
    }


def test_onnx_fp32_tags_what_torch_tags_and_exports_once(tiny_tagger: Path, tmp_path: Path) -> None:
    model, src = _model(tiny_tagger, tmp_path), _pubtator_head(tmp_path, 8)
    code, torch_rows, _ = _tag(model, src, "--runtime", "torch", "--precision", "fp32")
    assert code == 0
    # a command of its own: in pytest the root logger already has a (capturing) handler
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            *_argv(model, src, "--runtime", "onnx", "--precision", "fp32"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stderr
    onnx_rows = _jsonl(done.stdout)
    err = done.stderr
    assert "exporting" in err and "WARNING" not in err  # no quantiser advice on the terminal
    assert (model / "onnx" / "model.onnx").is_file()
    assert (model / "onnx" / "model.int8.onnx").is_file()
    assert len(_entities(torch_rows)) > 20
    assert _entities(onnx_rows) == _entities(torch_rows)
    assert "onnx fp32" in err
    code, again, err = _tag(model, src, "--runtime", "onnx", "--precision", "fp32")
    assert code == 0 and "exporting" not in err and _entities(again) == _entities(torch_rows)


def test_onnx_int8_keeps_nearly_every_entity(tiny_tagger: Path, tmp_path: Path) -> None:
    model, src = _model(tiny_tagger, tmp_path), _pubtator_head(tmp_path, 8)
    _, fp32, _ = _tag(model, src, "--runtime", "onnx", "--precision", "fp32")
    code, int8, err = _tag(model, src, "--runtime", "onnx")  # precision auto: int8
    assert code == 0 and "onnx int8" in err
    assert [r["id"] for r in int8] == [r["id"] for r in fp32]
    both = _entities(fp32) & _entities(int8)
    assert len(both) >= 0.9 * len(_entities(fp32))


def test_a_model_without_a_graph_names_the_command_that_exports_it(
    tiny_tagger: Path, tmp_path: Path
) -> None:
    from workbench.errors import ModelError
    from workbench.model.predict import Tagger

    with pytest.raises(ModelError, match="workbench tag --runtime onnx"):
        Tagger(_model(tiny_tagger, tmp_path), device="cpu", runtime="onnx")


def test_without_onnxruntime_one_line_and_the_model_untouched(
    tiny_tagger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, src = _model(tiny_tagger, tmp_path), _pubtator_head(tmp_path, 2)
    before = sorted(p.name for p in model.iterdir())
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    code, rows, err = _tag(model, src, "--runtime", "onnx")
    assert code == 4 and rows == []
    assert "pip install 'workbench[onnx]'" in err and "Traceback" not in err
    assert err.strip().count("\n") == 0
    assert sorted(p.name for p in model.iterdir()) == before


def test_a_failed_export_leaves_no_graph_behind(
    tiny_tagger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    model, src = _model(tiny_tagger, tmp_path), _pubtator_head(tmp_path, 2)
    before = sorted(p.name for p in model.iterdir())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("unsupported operator")

    monkeypatch.setattr(torch.onnx, "export", broken)
    code, rows, err = _tag(model, src, "--runtime", "onnx")
    assert code == 4 and rows == []
    assert "cannot export to ONNX (unsupported operator)" in err and "Traceback" not in err
    assert sorted(p.name for p in model.iterdir()) == before
