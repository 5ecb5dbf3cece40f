"""Prediction: entities with confidence, and per-word probabilities where they are wanted.

One `Tagger` serves `tag`, `evaluate`, the TUI and the active-learning scorer. Documents are
cut into sentences, sentences into windows (`batching`), windows run through a runtime
(`runtime`: torch, or an ONNX graph), and word tags become entities (`decode`). `tag` keeps
only each word's best tag on the device; `predict` brings back every tag's probability for
the uncertainty strategies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core import Document, Span
from workbench.errors import ModelError
from workbench.model.batching import Prepared, prepare
from workbench.model.decode import TagTable, best_candidates, decode, viterbi
from workbench.model.decode import bridge_unreached as _bridge
from workbench.model.model_dir import load_tokenizer, read_model_dir
from workbench.model.runtime import (
    OnnxRuntime,
    Runtime,
    TorchRuntime,
    native_bf16,
    pick_device,
    quiet_transformers,
)
from workbench.model.shapes import uses_shapes
from workbench.model.windows import model_context

__all__ = [
    "Prediction",
    "Tagger",
    "bridge_unreached",
    "native_bf16",
    "pick_device",
    "quiet_transformers",
]

RUNTIMES = ("auto", "torch", "onnx")
DECODINGS = ("viterbi", "argmax")
ONNX_DIR = "onnx"
# Sub-word positions per batch. On a CPU 2,048 keeps activations in cache (measured,
# BENCHMARKS.md); a GPU wants large batches.
CPU_BATCH_TOKENS = 2048
GPU_BATCH_TOKENS = 65536


@dataclass
class Prediction:
    spans: list[Span]
    # (n_words, n_tags) probabilities of the document's tokens, in config.id2label order.
    probs: np.ndarray
    # (n_samples, n_words, n_tags) with Monte-Carlo dropout in the head (for `bald`), else None.
    samples: np.ndarray | None = None


def bridge_unreached(best: np.ndarray, unreached: np.ndarray, tags: Sequence[str]) -> np.ndarray:
    """One document's word tags with unreached words bridged (see `decode.bridge_unreached`)."""
    out = best.copy()
    _bridge(out, np.zeros(len(out)), ~unreached, np.array([0, len(out)]), TagTable(tags))
    return out


def onnx_graph(path: Path, quantized: bool = False) -> Path:
    return path / ONNX_DIR / ("model.int8.onnx" if quantized else "model.onnx")


class Tagger:
    """A fine-tuned token-classification model directory, ready to predict."""

    def __init__(
        self,
        path: str | Path,
        device: str = "auto",
        max_length: int = 256,
        batch_tokens: int | None = None,
        stride: int = 32,
        precision: str = "auto",
        runtime: str = "torch",
        threads: int | None = None,
        decoding: str = "viterbi",
    ):
        path = Path(path)
        self.path = path
        self.info = read_model_dir(path)
        self.tags = self.info.tags
        self.labels = self.info.labels
        self.table = TagTable(self.tags)
        self.tokenizer = load_tokenizer(path)
        self.word_shapes = uses_shapes(self.info.config)  # token types it was trained with
        self.context = model_context(self.info.config)  # text around each sentence it reads
        if runtime not in RUNTIMES:
            raise ModelError(f"unknown runtime {runtime!r} ({', '.join(RUNTIMES)})")
        self.runtime: Runtime
        if runtime == "onnx" or (runtime == "auto" and self._onnx_wins(device, precision)):
            self.runtime = self._onnx(precision, threads)
        else:
            self.runtime = TorchRuntime(path, device, precision, threads)
        self.device = self.runtime.device
        self.precision = self.runtime.precision
        limit = min(self.info.max_positions, self.tokenizer.model_max_length or 10**9)
        self.max_length = min(max_length, limit)
        self.batch_tokens = batch_tokens or (
            GPU_BATCH_TOKENS if self.device == "cuda" else CPU_BATCH_TOKENS
        )
        self.stride = stride
        if decoding not in DECODINGS:
            raise ModelError(f"unknown decoding {decoding!r} ({', '.join(DECODINGS)})")
        self.decoding = decoding

    def _onnx_wins(self, device: str, precision: str) -> bool:
        """ONNX Runtime where it is measured faster: a CPU without native bf16, when the
        model has an exported graph (BENCHMARKS.md, "CPU runtimes")."""
        if device == "cuda" or precision == "bf16" or not onnx_graph(self.path).is_file():
            return False
        return not native_bf16("cpu")

    def _onnx(self, precision: str, threads: int | None) -> OnnxRuntime:
        graph = onnx_graph(self.path, quantized=precision in ("auto", "int8"))
        if not graph.is_file():
            graph = onnx_graph(self.path)
        if not graph.is_file():
            raise ModelError(
                f"{self.path}: no ONNX graph ({ONNX_DIR}/model.onnx); "
                "`workbench tag --runtime onnx` exports it once"
            )
        return OnnxRuntime(graph, threads)

    # -- the pipeline's two halves ---------------------------------------------------------

    def prepare(self, docs: Sequence[Document]) -> Prepared:
        """CPU work: sentences, sub-words, windows and padded batches (no model)."""
        return prepare(
            docs,
            self.tokenizer,
            self.max_length,
            self.stride,
            self.batch_tokens,
            self.runtime.shape_steps,
            self.word_shapes,
            self.context,
        )

    def run(self, prepared: Prepared) -> list[list[Span]]:
        """The forward pass over a prepared chunk, then its entities."""
        outputs = list(self.runtime.tag_probs(prepared.batches))
        return self._entities(prepared, np.concatenate(outputs) if outputs else None)[0]

    def _entities(
        self, prepared: Prepared, cand_probs: np.ndarray | None
    ) -> tuple[list[list[Span]], np.ndarray]:
        """Each word's tag probabilities from its best window (O where no window reached
        it), decoded to entities."""
        n = prepared.n_words
        probs = np.zeros((n, len(self.tags)), dtype=np.float32)
        probs[:, self.table.o] = 1.0
        reached = np.zeros(n, dtype=bool)
        if cand_probs is not None:
            words, margins = _candidates(prepared)
            word, cand = best_candidates(words, margins)
            probs[word], reached[word] = cand_probs[cand], True
        if self.decoding == "viterbi":
            best = viterbi(probs, prepared.sentences, self.table)
        else:
            best = probs.argmax(axis=1)
        chosen = probs[np.arange(n), best]
        _bridge(best, chosen, reached, prepared.offsets, self.table)
        return decode(prepared.docs, prepared.offsets, best, chosen, self.table), probs

    def tag(self, docs: Sequence[Document]) -> list[list[Span]]:
        """Entities (with confidence) of every document."""
        return self.run(self.prepare(docs))

    # -- with probabilities, for the uncertainty strategies --------------------------------

    def predict(
        self,
        docs: Sequence[Document],
        progress: Callable[[int, int], None] | None = None,
        mc_samples: int = 0,
        mc_dropout: float | None = None,
    ) -> list[Prediction]:
        """Spans and every word's tag probabilities for every document.

        With ``mc_samples`` > 0 the encoder runs once and the dropout + classifier head runs
        that many times with dropout on (``mc_dropout``, default the model's own rate): the
        samples `bald` needs, for little extra cost.
        """
        runtime = self.runtime
        if mc_samples and not isinstance(runtime, TorchRuntime):
            raise ModelError("Monte-Carlo dropout (bald) needs the torch runtime")
        prepared = self.prepare(docs)
        n, n_tags = prepared.n_words, len(self.tags)
        samples = np.zeros((mc_samples, n, n_tags), dtype=np.float32) if mc_samples else None
        rows: list[np.ndarray] = []
        drawn: list[np.ndarray] = []
        if isinstance(runtime, TorchRuntime) and mc_samples:
            dropout = runtime.head_dropout(mc_dropout)
            for k, batch in enumerate(prepared.batches):
                p, s = runtime.mc_probs(batch, mc_samples, dropout)
                rows.append(p)
                drawn.append(s)
                if progress is not None:
                    progress(k + 1, len(prepared.batches))
        else:
            for k, p in enumerate(runtime.tag_probs(prepared.batches)):
                rows.append(p)
                if progress is not None:
                    progress(k + 1, len(prepared.batches))
        spans, probs = self._entities(prepared, np.concatenate(rows) if rows else None)
        if rows and samples is not None:
            words, margins = _candidates(prepared)
            word, cand = best_candidates(words, margins)
            samples[:, word] = np.concatenate(drawn, axis=1)[:, cand]
        out = []
        for d, doc_spans in enumerate(spans):
            a, b = int(prepared.offsets[d]), int(prepared.offsets[d + 1])
            out.append(
                Prediction(doc_spans, probs[a:b], None if samples is None else samples[:, a:b])
            )
        return out

    @property
    def model(self) -> Any:
        """The torch module (tests and benchmarks look inside)."""
        return getattr(self.runtime, "model", None)


def _candidates(prepared: Prepared) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.concatenate([b.words for b in prepared.batches]),
        np.concatenate([b.margins for b in prepared.batches]),
    )
