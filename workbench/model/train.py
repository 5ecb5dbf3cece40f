"""Fine-tuning: documents in, a scored model directory out.

Builds word-aligned examples, trains with the HF Trainer (so `accelerate launch` spreads it
over GPUs), keeps the best epoch on dev, saves a standard Hugging Face directory and scores it
on dev (and test). It knows nothing of projects, rounds or the database: `active.round`
decides where the directory goes and what becomes of it.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from workbench.core import Document, spans_to_bio, tag_names
from workbench.core.sentences import sentence_ranges
from workbench.errors import ModelError
from workbench.model.evaluate import score
from workbench.model.predict import Tagger
from workbench.model.runtime import pick_device, quiet_transformers
from workbench.model.windows import make_windows, word_pieces

Log = Callable[[str], None]


class TrainProgress(Protocol):
    """What a training run reports as it goes (a progress bar, the round's row)."""

    def step(self, step: int, total: int, loss: float | None) -> None: ...

    def evaluated(self, epoch: float, epochs: int, metrics: dict[str, float]) -> None: ...


@dataclass
class TrainOptions:
    """The recipe: what training needs beyond the documents and the base model."""

    epochs: int = 8
    learning_rate: float = 1e-4
    batch_size: int = 16
    max_length: int = 256
    warmup: float = 0.1
    weight_decay: float = 0.01
    seed: int = 13
    device: str = "auto"
    max_steps: int = -1  # > 0 caps training (tests)
    min_steps: int = 0  # small sets train for more epochs so they get at least this many steps
    max_evals: int = 0  # > 0: at most this many dev evaluations (checkpoints by steps)
    # > 0: pick the best checkpoint on a seeded sample of this many dev sentences (a dev
    # pass over BC5CDR's 4,581 took 29 s of a 165 s round on 2 cores); the chosen model is
    # still scored on all of dev
    dev_sample: int = 0

    def check(self) -> None:
        """Refuse a recipe that cannot train, before anything is recorded."""
        if not 0 < self.learning_rate < 1:
            raise ModelError(f"--learning-rate {self.learning_rate:g}: give a value in (0, 1)")
        if self.epochs < 1 or self.batch_size < 1:
            raise ModelError("--epochs and --batch-size must be at least 1")
        if not 0 <= self.warmup < 1 or self.weight_decay < 0:
            raise ModelError("warm-up is a fraction in [0, 1) and weight decay is not negative")
        pick_device(self.device)  # an unknown device, or cuda where there is none


def build_examples(
    docs: Sequence[Document], tokenizer: Any, label2id: dict[str, int], max_length: int
) -> list[dict[str, list[int]]]:
    """One example per sentence window: input ids and first-sub-token labels (-100 elsewhere)."""
    sentences: list[list[str]] = []
    sent_tags: list[list[str]] = []
    for doc in docs:
        tags, _ = spans_to_bio(doc.tokens, doc.spans)
        words = doc.token_texts()
        for a, b in sentence_ranges(doc):
            sentences.append(words[a:b])
            sent_tags.append(tags[a:b])
    pieces = word_pieces(tokenizer, sentences)
    examples = []
    for s, p in enumerate(pieces):
        for w in make_windows(
            p, s, tokenizer.cls_token_id, tokenizer.sep_token_id, max_length, stride=0
        ):
            labels = [-100 if word < 0 else label2id[sent_tags[s][word]] for word in w.word_index]
            examples.append(
                {
                    "input_ids": w.input_ids,
                    "attention_mask": [1] * len(w.input_ids),
                    "labels": labels,
                }
            )
    return examples


def _compute_metrics(id2label: dict[int, str]) -> Callable[[Any], dict[str, float]]:
    def compute(eval_pred: Any) -> dict[str, float]:
        from seqeval.metrics import f1_score, precision_score, recall_score

        logits, labels = eval_pred
        pred = logits.argmax(-1)
        y_true, y_pred = [], []
        for p_row, l_row in zip(pred, labels, strict=True):
            keep = l_row != -100
            y_true.append([id2label[int(x)] for x in l_row[keep]])
            y_pred.append([id2label[int(x)] for x in p_row[keep]])
        return {
            "precision": precision_score(y_true, y_pred, zero_division=0),
            "recall": recall_score(y_true, y_pred, zero_division=0),
            "f1": f1_score(y_true, y_pred, zero_division=0),
        }

    return compute


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


@dataclass
class Fitted:
    path: Path  # the saved model directory
    dev: dict[str, Any]
    test: dict[str, Any] | None
    best_epoch: float | None
    train_windows: int
    timings: dict[str, float]


def schedule(n_train: int, opts: TrainOptions) -> tuple[int, int]:
    """(epochs, evaluate every N steps or 0 for every epoch).

    A hundred sentences for four epochs is a few dozen steps, too few to learn anything;
    active-learning rounds ask for a minimum number of steps instead, and cap the dev passes
    that so many short epochs would cost."""
    per_epoch = max(1, math.ceil(n_train / opts.batch_size))
    epochs = max(opts.epochs, math.ceil(opts.min_steps / per_epoch))
    total = steps(n_train, opts)
    if opts.max_evals and epochs > opts.max_evals:
        return epochs, max(1, math.ceil(total / opts.max_evals))
    return epochs, 0


def steps(n_train: int, opts: TrainOptions) -> int:
    """The optimiser steps a run takes: its epochs' worth, capped by ``max_steps``."""
    per_epoch = max(1, math.ceil(n_train / opts.batch_size))
    total = per_epoch * max(opts.epochs, math.ceil(opts.min_steps / per_epoch))
    return total if opts.max_steps <= 0 else min(total, opts.max_steps)


def fit(
    train: Sequence[Document],
    dev: Sequence[Document],
    test: Sequence[Document],
    labels: Sequence[str],
    base: tuple[str, str],
    opts: TrainOptions,
    out_dir: Path,
    log: Log,
    progress: TrainProgress | None = None,
) -> Fitted:
    """Fine-tune ``base`` (path, label) on ``train``, keep the best epoch on ``dev``, save it to
    ``out_dir`` and score it on dev (and test). Touches no database: `train`, `retrain` and
    `simulate` share it."""
    quiet_transformers()
    import torch
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        TrainerCallback,
        TrainingArguments,
        set_seed,
    )

    device = pick_device(opts.device)
    base_path, base_label = base
    tags = tag_names(labels)
    id2label = dict(enumerate(tags))
    label2id = {t: i for i, t in id2label.items()}
    work = out_dir.with_name(out_dir.name.replace(".incoming", ".work") + ".checkpoints")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    set_seed(opts.seed)
    tokenizer = AutoTokenizer.from_pretrained(base_path)
    model = AutoModelForTokenClassification.from_pretrained(
        base_path,
        num_labels=len(tags),
        id2label=id2label,
        label2id=label2id,
        use_safetensors=True,
        trust_remote_code=False,
        ignore_mismatched_sizes=True,
    )
    max_length = min(opts.max_length, int(model.config.max_position_embeddings))
    train_ex = build_examples(train, tokenizer, label2id, max_length)
    chooser = list(dev)
    if 0 < opts.dev_sample < len(chooser):
        chooser = random.Random(opts.seed).sample(chooser, opts.dev_sample)
    dev_ex = build_examples(chooser, tokenizer, label2id, max_length)
    # evaluated in order: by length, each batch pads to its own longest window, not the dev's
    dev_ex.sort(key=lambda ex: len(ex["input_ids"]))
    epochs, every = schedule(len(train_ex), opts)
    log(
        f"Training {base_label} on {len(train_ex):,} windows from {len(train):,} "
        f"documents; dev {len(dev_ex):,} windows; {epochs} epochs on {device}."
    )
    args = TrainingArguments(
        output_dir=str(work),
        eval_strategy="steps" if every else "epoch",
        save_strategy="steps" if every else "epoch",
        logging_strategy="steps" if every else "epoch",
        eval_steps=every or None,
        save_steps=every or 500,
        logging_steps=every or 500,
        load_best_model_at_end=True,
        metric_for_best_model="f1",
        greater_is_better=True,
        save_total_limit=1,
        save_only_model=True,
        learning_rate=opts.learning_rate,
        num_train_epochs=epochs,
        max_steps=steps(len(train_ex), opts),
        per_device_train_batch_size=opts.batch_size,
        per_device_eval_batch_size=64,
        warmup_steps=opts.warmup,
        weight_decay=opts.weight_decay,
        seed=opts.seed,
        data_seed=opts.seed,
        use_cpu=device == "cpu",
        bf16=device == "cuda" and torch.cuda.is_bf16_supported(),
        train_sampling_strategy="group_by_length",
        report_to=[],
        disable_tqdm=True,  # the caller draws the progress (a rich bar, the round's row)
        dataloader_num_workers=0,
    )

    class Progress(TrainerCallback):
        loss: float | None = None

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if progress is not None:
                progress.step(state.global_step, state.max_steps, self.loss)

        def on_log(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            logs = kw.get("logs") or {}
            if isinstance(logs.get("loss"), int | float):
                self.loss = float(logs["loss"])

        def on_evaluate(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            m = kw.get("metrics", {})
            found = {k.removeprefix("eval_"): float(v) for k, v in m.items() if "eval_" in k}
            if progress is not None:
                progress.evaluated(float(state.epoch or 0), epochs, found)
            else:
                log(
                    f"epoch {state.epoch:.1f}/{epochs}: dev F1 {found.get('f1', 0):.4f} "
                    f"(P {found.get('precision', 0):.4f} R {found.get('recall', 0):.4f})"
                )

    try:
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=_ListDataset(train_ex),
            eval_dataset=_ListDataset(dev_ex),
            data_collator=DataCollatorForTokenClassification(tokenizer),
            processing_class=tokenizer,
            compute_metrics=_compute_metrics(id2label),
            callbacks=[Progress()],
        )
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # it prints raw log dicts
        trainer.train()
        timings["train_s"] = time.perf_counter() - t0
        best_epoch = _best_epoch(trainer.state)
        if best_epoch is not None:
            best_epoch = round(best_epoch, 2)
        if not is_main_process():
            raise SystemExit(0)
        trainer.save_model(str(out_dir))
        tokenizer.save_pretrained(str(out_dir))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    t1 = time.perf_counter()
    tagger = Tagger(out_dir, device=device)
    dev_metrics = score(dev, tagger.tag(dev))
    test_metrics = score(test, tagger.tag(test)) if test else None
    timings["evaluate_s"] = time.perf_counter() - t1
    return Fitted(out_dir, dev_metrics, test_metrics, best_epoch, len(train_ex), timings)


def _best_epoch(state: Any) -> float | None:
    best, epoch = None, None
    for entry in state.log_history:
        if "eval_f1" in entry and (best is None or entry["eval_f1"] > best):
            best, epoch = entry["eval_f1"], entry.get("epoch")
    return epoch


class _ListDataset:
    """The Trainer needs only __len__ and __getitem__; no Arrow round trip for a list."""

    def __init__(self, rows: list[dict[str, list[int]]]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        return self.rows[i]
