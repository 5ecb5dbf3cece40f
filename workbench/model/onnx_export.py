"""A model directory's ONNX graph, for `tag --runtime onnx`: the forward pass on ONNX Runtime
starts without importing torch, and its dynamic int8 quantisation is the fastest CPU path
where the processor has no native bf16 (BENCHMARKS.md, "CPU runtimes").

The graph lands in ``MODEL/onnx/model.onnx`` (and ``model.int8.onnx``), written to a
temporary name and renamed, beside the safetensors weights it was made from.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

from workbench.errors import ModelError
from workbench.model.predict import ONNX_DIR, onnx_graph
from workbench.model.runtime import quiet_transformers
from workbench.model.shapes import uses_shapes

OPSET = 17


def _require_onnx() -> None:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        raise ModelError(
            "exporting to ONNX needs onnx and onnxruntime: pip install 'workbench[onnx]'"
        ) from None


def export_onnx(path: Path, quantize: bool = True) -> list[Path]:
    """Write the fp32 graph (and its int8 quantisation); return the files written."""
    quiet_transformers()
    _require_onnx()
    import torch
    from transformers import AutoModelForTokenClassification

    target = path / ONNX_DIR
    work = path / f".{ONNX_DIR}.tmp"
    try:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        model = AutoModelForTokenClassification.from_pretrained(
            str(path), use_safetensors=True, trust_remote_code=False, dtype=torch.float32
        ).eval()
        model.config.return_dict = False
        ids = torch.ones((2, 16), dtype=torch.long)
        # a model trained with word shapes reads them as token type ids (model/shapes.py)
        inputs = ["input_ids", "attention_mask"]
        if uses_shapes(model.config.to_dict()):
            inputs.append("token_type_ids")
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                tuple(torch.ones_like(ids) if i else ids for i in range(len(inputs))),
                str(work / "model.onnx"),
                input_names=inputs,
                output_names=["logits"],
                dynamic_axes={name: {0: "batch", 1: "length"} for name in [*inputs, "logits"]},
                opset_version=OPSET,
                dynamo=False,
            )
        written = [onnx_graph(path)]
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # Its advice to pre-process goes through logging.warning, which would also give
            # the root logger a stderr handler for the rest of the process.
            root, quiet = logging.getLogger(), logging.NullHandler()
            level = root.level
            root.addHandler(quiet)
            root.setLevel(logging.ERROR)
            try:
                quantize_dynamic(
                    str(work / "model.onnx"),
                    str(work / "model.int8.onnx"),
                    weight_type=QuantType.QInt8,
                )
            finally:
                root.removeHandler(quiet)
                root.setLevel(level)
            written.append(onnx_graph(path, quantized=True))
        shutil.rmtree(target, ignore_errors=True)
        os.replace(work, target)
    except ModelError:
        raise
    except Exception as exc:  # the exporter raises many types; the directory stays as it was
        raise ModelError(f"{path}: cannot export to ONNX ({exc})") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return written


def ensure_onnx(path: Path, log: Callable[[str], None]) -> None:
    """Export once, the first time a model is run on ONNX Runtime (torch is needed then)."""
    if onnx_graph(path).is_file():
        return
    _require_onnx()
    log(f"exporting {path} to ONNX once ({ONNX_DIR}/model.onnx and its int8 quantisation)")
    export_onnx(path)
