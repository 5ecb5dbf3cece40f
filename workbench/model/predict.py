"""Prediction: word-level labels, per-entity confidence and per-word probabilities.

One function serves `tag`, `evaluate`, the TUI and the active-learning scorer.
Documents are cut into sentences, sentences into windows; windows are sorted
by length and batched so that padding is small.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.core import BioError, Document, Span, bio_to_spans, parse_tag
from workbench.core.sentences import sentence_ranges
from workbench.errors import ModelError
from workbench.model.windows import Window, make_windows, word_pieces


@dataclass
class Prediction:
    spans: list[Span]
    # (n_words, n_tags) probabilities of the document's tokens, in config.id2label order.
    probs: np.ndarray
    # (n_samples, n_words, n_tags) with Monte-Carlo dropout in the head (for `bald`), else None.
    samples: np.ndarray | None = None


def _quiet_transformers() -> None:
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


def bridge_unreached(best: np.ndarray, unreached: np.ndarray, tags: Sequence[str]) -> np.ndarray:
    """A word no window reached (the tokenizer gave it no sub-token, e.g. a soft hyphen) is O,
    unless the words on both sides belong to one entity: then it continues that entity."""
    out = best.copy()
    for i in np.flatnonzero(unreached):
        if 0 < i < len(out) - 1:
            before, after = tags[out[i - 1]], tags[out[i + 1]]
            if before != "O" and after == f"I-{before[2:]}":
                out[i] = tags.index(after)
    return out


def native_bf16(device: str) -> bool:
    """bf16 only where the hardware computes it natively; emulated bf16 is slower than fp32."""
    import torch

    if device == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


class Tagger:
    """A fine-tuned token-classification model directory, ready to predict."""

    def __init__(
        self,
        path: str | Path,
        device: str = "auto",
        max_length: int = 256,
        batch_tokens: int = 2048,  # measured: activations stay in cache (BENCHMARKS.md)
        stride: int = 32,
        precision: str = "auto",
    ):
        _quiet_transformers()
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        path = Path(path)
        if not (path / "config.json").is_file():
            raise ModelError(f"{path}: not a model directory (no config.json)")
        self.path = path
        self.device = pick_device(device)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(path))
            self.model = AutoModelForTokenClassification.from_pretrained(
                str(path), use_safetensors=True, trust_remote_code=False
            )
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load the model ({exc})") from None
        if precision not in ("auto", "fp32", "bf16"):
            raise ModelError(f"unknown precision {precision!r} (auto, fp32 or bf16)")
        use_bf16 = precision == "bf16" or (precision == "auto" and native_bf16(self.device))
        self.precision = "bf16" if use_bf16 else "fp32"
        self.model.to(self.device, dtype=torch.bfloat16 if use_bf16 else torch.float32).eval()
        if self.device == "cpu":
            torch.set_num_threads(max(1, os.cpu_count() or 1))
        id2label = self.model.config.id2label
        self.tags = [id2label[i] for i in range(len(id2label))]
        try:
            for t in self.tags:
                parse_tag(t)
        except BioError:
            raise ModelError(
                f"{path}: its labels are not BIO tags ({', '.join(self.tags[:6])}...); "
                "workbench reads O, B-<label>, I-<label>"
            ) from None
        if "O" not in self.tags:
            raise ModelError(f"{path}: its labels have no 'O' tag")
        self.labels = sorted({t[2:] for t in self.tags if t != "O"})
        limit = int(getattr(self.model.config, "max_position_embeddings", 512))
        self.max_length = min(max_length, limit, self.tokenizer.model_max_length or limit)
        self.batch_tokens = batch_tokens
        self.stride = stride

    def predict(
        self,
        docs: Sequence[Document],
        progress: Callable[[int, int], None] | None = None,
        mc_samples: int = 0,
        mc_dropout: float | None = None,
    ) -> list[Prediction]:
        """Spans (with confidence) and word probabilities for every document.

        With ``mc_samples`` > 0 the encoder runs once and the dropout + classifier
        head runs that many times with dropout on (``mc_dropout``, default the
        model's own rate): the samples `bald` needs, for little extra cost.
        """
        import torch

        # 1. Sentences of every document, as word lists.
        sent_words: list[list[str]] = []
        sent_of: list[tuple[int, int, int]] = []  # (doc, first token, last token)
        for d, doc in enumerate(docs):
            words = doc.token_texts()
            for a, b in sentence_ranges(doc):
                sent_words.append(words[a:b])
                sent_of.append((d, a, b))
        pieces = word_pieces(self.tokenizer, sent_words)
        stride = min(self.stride, (self.max_length - 2) // 2)  # windows always move forward
        cls_id, sep_id = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        windows: list[Window] = []
        for s, p in enumerate(pieces):
            windows += make_windows(p, s, cls_id, sep_id, self.max_length, stride)

        # 2. Run the windows, shortest first, in batches of about `batch_tokens` positions.
        n_tags = len(self.tags)
        probs = [np.zeros((len(doc.tokens), n_tags), dtype=np.float32) for doc in docs]
        for arr in probs:
            arr[:, self.tags.index("O")] = 1.0  # a word no window reaches stays O
        best_margin = [np.full(len(doc.tokens), -1, dtype=np.int64) for doc in docs]
        samples = (
            [np.zeros((mc_samples, len(doc.tokens), n_tags), dtype=np.float32) for doc in docs]
            if mc_samples
            else None
        )
        head_dropout = self._head_dropout(mc_dropout) if mc_samples else 0.0
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
        pad = self.tokenizer.pad_token_id or 0
        i = 0
        with torch.inference_mode():
            while i < len(order):
                longest = len(windows[order[i]].input_ids)
                j = i
                while j < len(order) and (j - i + 1) * len(windows[order[j]].input_ids) <= max(
                    self.batch_tokens, longest
                ):
                    j += 1
                batch = [windows[k] for k in order[i:j]]
                width = max(len(w.input_ids) for w in batch)
                ids = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for r, w in enumerate(batch):
                    ids[r, : len(w.input_ids)] = torch.tensor(w.input_ids)
                    mask[r, : len(w.input_ids)] = 1
                ids, mask = ids.to(self.device), mask.to(self.device)
                mc_out = None
                if mc_samples:
                    hidden = self.model.base_model(input_ids=ids, attention_mask=mask)[0]
                    logits = self.model.classifier(hidden)
                    mc_out = np.stack(
                        [
                            torch.softmax(
                                self.model.classifier(
                                    torch.nn.functional.dropout(hidden, head_dropout, training=True)
                                ).float(),
                                dim=-1,
                            )
                            .cpu()
                            .numpy()
                            for _ in range(mc_samples)
                        ]
                    )
                else:
                    logits = self.model(input_ids=ids, attention_mask=mask).logits
                out = torch.softmax(logits.float(), dim=-1).cpu().numpy()
                for r, w in enumerate(batch):
                    d, first_tok, _ = sent_of[w.source]
                    for pos, word in enumerate(w.word_index):
                        if word < 0:
                            continue
                        # Context on the nearer side: prefer the window where it is largest.
                        margin = min(word - w.first_word, w.last_word - 1 - word)
                        tok = first_tok + word
                        if margin > best_margin[d][tok]:
                            best_margin[d][tok] = margin
                            probs[d][tok] = out[r, pos]
                            if samples is not None and mc_out is not None:
                                samples[d][:, tok] = mc_out[:, r, pos]
                i = j
                if progress is not None:
                    progress(j, len(order))

        # 3. Word tags -> repaired BIO -> spans with confidence.
        preds = [
            self._decode(doc, p, margin < 0)
            for doc, p, margin in zip(docs, probs, best_margin, strict=True)
        ]
        if samples is not None:
            for pred, smp in zip(preds, samples, strict=True):
                pred.samples = smp
        return preds

    def _head_dropout(self, override: float | None) -> float:
        if not hasattr(self.model, "classifier") or not hasattr(self.model, "base_model"):
            raise ModelError(f"{self.path}: bald needs a token-classification head (classifier)")
        if override is not None:
            return override
        cfg = self.model.config
        rate = getattr(cfg, "classifier_dropout", None)
        if rate is None:
            rate = getattr(cfg, "hidden_dropout_prob", None)
        return 0.1 if rate is None else float(rate)

    def _decode(self, doc: Document, probs: np.ndarray, unreached: np.ndarray) -> Prediction:
        if len(doc.tokens) == 0:
            return Prediction([], probs)
        best = bridge_unreached(probs.argmax(axis=1), unreached, self.tags)
        tags = [self.tags[k] for k in best]
        chosen = probs[np.arange(len(best)), best]
        starts = [t.start for t in doc.tokens]
        spans = []
        # bio_to_spans repairs invalid sequences: an I- after O or another type starts an entity.
        for span in bio_to_spans(doc.tokens, tags):
            a, b = bisect_left(starts, span.start), bisect_left(starts, span.end)
            conf = float(chosen[a:b].mean()) if b > a else 0.0
            spans.append(Span(span.start, span.end, span.label, round(conf, 4)))
        return Prediction(spans, probs)
