"""The forward pass, behind one small interface: batches in, per-candidate tags and
probabilities out. `TorchRuntime` runs the HF model (bf16 where the hardware computes it
natively, on a GPU with pinned memory and the next batch copied while the current one runs);
`OnnxRuntime` runs an exported graph with ONNX Runtime and never imports torch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from workbench.errors import ModelError
from workbench.model.batching import SHAPE_ROWS_STEP, SHAPE_WIDTH_STEP, Batch


class Runtime(Protocol):
    name: str
    precision: str
    device: str
    shape_steps: tuple[int, int]  # batches padded to widths and row counts in these steps

    def tag_probs(self, batches: Iterable[Batch]) -> Iterator[np.ndarray]:
        """Per batch: every tag's probability for each candidate, (candidates, tags)."""
        ...


def quiet_transformers() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def pick_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelError("--device cuda: no CUDA device is visible to torch here")
    if device not in ("cpu", "cuda"):
        raise ModelError(f"unknown device {device!r} (auto, cpu or cuda)")
    return device


def native_bf16(device: str) -> bool:
    """bf16 only where the hardware computes it natively; emulated bf16 is slower than fp32."""
    if device == "cuda":
        import torch

        return bool(torch.cuda.is_bf16_supported())
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


class TorchRuntime:
    name = "torch"
    # oneDNN keeps kernels per shape: few shapes keep peak RSS flat (BENCHMARKS.md)
    shape_steps = (SHAPE_WIDTH_STEP, SHAPE_ROWS_STEP)

    def __init__(
        self, path: Path, device: str = "auto", precision: str = "auto", threads: int | None = None
    ):
        import torch

        from workbench.model import bert

        if precision not in ("auto", "fp32", "bf16"):
            raise ModelError(f"unknown precision {precision!r} (auto, fp32 or bf16)")
        self.device = pick_device(device)
        # BERT-family taggers (BioBERT, MiniLM) skip the transformers import: 4 of the 6.5 s
        # a one-line `tag` took (model/bert.py); anything else goes through transformers.
        self.lite = bert.supported(path)
        try:
            if self.lite:
                self.model: Any = bert.load(path)
            else:
                quiet_transformers()
                from transformers import AutoModelForTokenClassification

                self.model = AutoModelForTokenClassification.from_pretrained(
                    str(path), use_safetensors=True, trust_remote_code=False
                )
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"{path}: cannot load the model ({exc})") from None
        use_bf16 = precision == "bf16" or (precision == "auto" and native_bf16(self.device))
        self.precision = "bf16" if use_bf16 else "fp32"
        self.model.to(self.device, dtype=torch.bfloat16 if use_bf16 else torch.float32).eval()
        if self.device == "cpu":
            torch.set_num_threads(threads or max(1, os.cpu_count() or 1))

    def _inputs(self, batch: Batch) -> tuple[Any, Any, Any]:
        """ids, mask and word-shape type ids (None for a model without them) on the device."""
        import torch

        arrays = [batch.ids, batch.mask] + ([] if batch.types is None else [batch.types])
        tensors = [torch.from_numpy(a) for a in arrays]
        if self.device == "cuda":  # pinned host memory: the copy runs beside the compute
            tensors = [t.pin_memory().to(self.device, non_blocking=True) for t in tensors]
        return tensors[0], tensors[1], tensors[2] if len(tensors) > 2 else None

    def logits(self, batch: Batch) -> Any:
        ids, mask, types = self._inputs(batch)
        if self.lite:
            return self.model(ids, mask, types)
        return self.model(**_hf_inputs(ids, mask, types)).logits

    def hidden(self, ids: Any, mask: Any, types: Any) -> Any:
        if self.lite:
            return self.model.encode(ids, mask, types)
        return self.model.base_model(**_hf_inputs(ids, mask, types))[0]

    def tag_probs(self, batches: Iterable[Batch]) -> Iterator[np.ndarray]:
        """One batch ahead on a GPU: the next batch is launched before the previous one's
        results are copied back, so the device never waits on Python. Only the words' first
        sub-tokens leave the device: (candidates, tags) probabilities."""
        import torch

        pending: Any = None
        with torch.inference_mode():
            for batch in batches:
                logits = self.logits(batch)
                rows = torch.from_numpy(batch.rows).to(logits.device)
                cols = torch.from_numpy(batch.cols).to(logits.device)
                picked = torch.softmax(logits[rows, cols].float(), dim=-1)
                if pending is not None:
                    yield np.asarray(pending.cpu().numpy())
                pending = picked
            if pending is not None:
                yield np.asarray(pending.cpu().numpy())

    def mc_probs(self, batch: Batch, samples: int, dropout: float) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, Monte-Carlo dropout samples) for each candidate: the encoder runs
        once, the dropout + classifier head ``samples`` times (what `bald` needs)."""
        import torch

        if not hasattr(self.model, "classifier"):
            raise ModelError("bald needs a token-classification head (classifier)")
        ids, mask, types = self._inputs(batch)
        rows, cols = torch.from_numpy(batch.rows), torch.from_numpy(batch.cols)
        with torch.inference_mode():
            hidden = self.hidden(ids, mask, types)[rows, cols]
            probs = torch.softmax(self.model.classifier(hidden).float(), dim=-1)
            drawn = [
                torch.softmax(
                    self.model.classifier(
                        torch.nn.functional.dropout(hidden, dropout, training=True)
                    ).float(),
                    dim=-1,
                )
                for _ in range(samples)
            ]
            return probs.cpu().numpy(), torch.stack(drawn).cpu().numpy()

    def head_dropout(self, override: float | None) -> float:
        from workbench.model import bert

        if override is not None:
            return override
        cfg = self.model.config
        return bert.head_dropout(cfg if isinstance(cfg, dict) else cfg.to_dict())


def _hf_inputs(ids: Any, mask: Any, types: Any) -> dict[str, Any]:
    """Token type ids only for a model trained with them: every other model is called
    exactly as it was before word shapes existed, whatever its architecture's signature."""
    given = {"input_ids": ids, "attention_mask": mask}
    return given if types is None else {**given, "token_type_ids": types}


class OnnxRuntime:
    """An exported graph (`model.onnx`, or its int8 quantisation) on ONNX Runtime's CPU
    provider: no torch import, so a command starts in well under a second."""

    name = "onnx"
    device = "cpu"
    # exact shapes: 14.1-14.9 s for 500 abstracts in int8 against 16.0-17.9 s in steps of
    # (8, 4), and a lower peak RSS (326 MB against 354)
    shape_steps = (1, 1)

    def __init__(self, graph: Path, threads: int | None = None):
        try:
            import onnxruntime as ort
        except ImportError:
            raise ModelError(
                "the onnx runtime needs onnxruntime (pip install onnxruntime)"
            ) from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or max(1, os.cpu_count() or 1)
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                str(graph), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own types for a bad graph
            raise ModelError(f"{graph}: cannot load the ONNX graph ({exc})") from None
        self.precision = "int8" if ".int8." in graph.name else "fp32"

    def tag_probs(self, batches: Iterable[Batch]) -> Iterator[np.ndarray]:
        for batch in batches:
            feed = {"input_ids": batch.ids, "attention_mask": batch.mask}
            if batch.types is not None:
                feed["token_type_ids"] = batch.types
            (logits,) = self.session.run(["logits"], feed)
            picked = logits[batch.rows, batch.cols].astype(np.float32)
            picked = np.exp(picked - picked.max(axis=-1, keepdims=True))
            yield picked / picked.sum(axis=-1, keepdims=True)
