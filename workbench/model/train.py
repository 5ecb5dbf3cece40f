"""Fine-tuning: documents in, a scored model directory out.

Builds word-aligned examples, trains with the HF Trainer (so `accelerate launch` spreads it
over GPUs), keeps the epoch best on dev as the user's tagger scores it (DevChooser), saves a
standard Hugging Face directory and scores it on dev (and test). It knows nothing of projects,
rounds or the database: `active.round` decides where the directory goes and what becomes of it.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from safetensors import SafetensorError

from workbench.core import Document, Span, spans_to_bio, tag_names
from workbench.errors import ModelError
from workbench.model.distill import (
    TEACHER_KEY,
    DistillCollator,
    distill_loss,
    teacher_probs,
    teachers_context,
)
from workbench.model.evaluate import score
from workbench.model.model_dir import read_model_dir
from workbench.model.predict import Tagger
from workbench.model.runtime import native_bf16, pick_device, quiet_transformers
from workbench.model.shapes import add_shape_embeddings, uses_shapes
from workbench.model.windows import BASE_KEY, CONTEXT_KEY, MAX_CONTEXT, document_windows

Log = Callable[[str], None]


class TrainProgress(Protocol):
    """What a training run reports as it goes (a progress bar, the round's row)."""

    def step(self, step: int, total: int, loss: float | None) -> None: ...

    def evaluated(self, epoch: float, epochs: int, metrics: dict[str, float]) -> None: ...


@dataclass
class TrainOptions:
    """The recipe: what training needs beyond the documents and the base model."""

    epochs: int = 12  # BC5CDR dev F1 still rose at epoch 12 (BENCHMARKS.md)
    learning_rate: float = 1e-4
    batch_size: int = 16
    max_length: int = 256
    warmup: float = 0.1
    weight_decay: float = 0.01
    seed: int = 13
    device: str = "auto"
    max_steps: int = -1  # > 0 caps training (tests)
    # > 0: fewer steps where this many seconds would not hold them, chosen from a probe of
    # this machine's step (the quick first round: a CPU without bf16 takes 3.6x as long)
    max_train_s: float = 0
    min_steps: int = 0  # small sets train for more epochs so they get at least this many steps
    max_evals: int = 0  # > 0: at most this many dev evaluations (checkpoints by steps)
    # > 0: pick the best checkpoint on a seeded sample of this many dev sentences (a dev
    # pass over BC5CDR's 4,581 took 29 s of a 165 s round on 2 cores); the chosen model is
    # still scored on all of dev
    dev_sample: int = 0
    # auto: bf16 mixed precision where the hardware computes bf16 (an AMX or AVX512-BF16 CPU,
    # a recent GPU), as the tagger does; fp32 elsewhere. On a 2-core AMX Xeon a 500-sentence
    # round's 96 steps went from 0.43 to 0.35 s each, at the same dev F1 (0.5605 and 0.5609).
    precision: str = "auto"
    # each word's case pattern as its sub-tokens' token type (model/shapes.py): the uncased
    # bundled encoder cannot tell `DA` from `da` otherwise. A base that has them keeps them.
    word_shapes: bool = False
    # > 0: each sentence is read with up to this many sub-tokens of the text around it on
    # each side (model/windows.py); recorded in the model, so prediction does the same
    context: int = 0
    # model directories whose averaged word probabilities the student also learns from
    # (model/distill.py), with this weight against the gold tags
    teachers: tuple[str, ...] = ()
    distill_weight: float = 0.5

    def documents_context(self) -> int:
        """Words of running text the documents must carry: the student's and its teachers'."""
        return max(self.context, teachers_context(self.teachers))

    def check(self) -> None:
        """Refuse a recipe that cannot train, before anything is recorded."""
        if not 0 < self.learning_rate < 1:
            raise ModelError(f"--learning-rate {self.learning_rate:g}: give a value in (0, 1)")
        if self.epochs < 1 or self.batch_size < 1:
            raise ModelError("--epochs and --batch-size must be at least 1")
        if not 0 <= self.context <= MAX_CONTEXT:
            raise ModelError(f"--context {self.context}: give 0 to {MAX_CONTEXT} sub-tokens")
        if not 0 <= self.distill_weight <= 1:
            raise ModelError(f"--distill-weight {self.distill_weight:g}: give a value in [0, 1]")
        for t in self.teachers:
            read_model_dir(Path(t))  # a missing or broken teacher stops here, in one line
        if not 0 <= self.warmup < 1 or self.weight_decay < 0:
            raise ModelError("warm-up is a fraction in [0, 1) and weight decay is not negative")
        device = pick_device(self.device)  # an unknown device, or cuda where there is none
        if self.precision not in ("auto", "fp32", "bf16"):
            raise ModelError(f"unknown precision {self.precision!r} (auto, fp32 or bf16)")
        if self.precision == "bf16" and device == "cuda" and not native_bf16(device):
            raise ModelError("this GPU does not compute bf16: train with --precision fp32")

    def mixed_bf16(self, device: str) -> bool:
        """Whether training runs in bf16 mixed precision on ``device``."""
        return self.precision == "bf16" or (self.precision == "auto" and native_bf16(device))


def build_examples(
    docs: Sequence[Document],
    tokenizer: Any,
    label2id: dict[str, int],
    max_length: int,
    word_shapes: bool = False,
    context: int = 0,
    soft: Sequence[np.ndarray] | None = None,
    hard_from_soft: bool = False,
) -> list[dict[str, Any]]:
    """One example per sentence window: input ids and first-sub-token labels (-100 elsewhere,
    the context around a sentence too), the words' shapes as token type ids where the
    model reads them, and the teachers' probabilities of its words where there are any.
    ``hard_from_soft``: text without gold, labelled with the teachers' most probable tags."""
    windows, sentences = document_windows(
        docs,
        tokenizer,
        tokenizer.cls_token_id,
        tokenizer.sep_token_id,
        max_length,
        0,
        word_shapes,
        context,
    )
    tags = [spans_to_bio(doc.tokens, doc.spans)[0] for doc in docs]
    examples = []
    for w in windows:
        sent = sentences[w.source]
        own = tags[sent.doc]
        if hard_from_soft and soft is not None:  # no gold: the teachers' best tag stands in
            best = soft[sent.doc].argmax(axis=1)
            labels = [-100 if i < 0 else int(best[sent.start + i]) for i in w.word_index]
        else:
            labels = [-100 if i < 0 else label2id[own[sent.start + i]] for i in w.word_index]
        example: dict[str, Any] = {
            "input_ids": w.input_ids,
            "attention_mask": [1] * len(w.input_ids),
            "labels": labels,
        }
        if w.type_ids is not None:
            example["token_type_ids"] = w.type_ids
        if soft is not None:  # the teachers' rows of this window's labelled words
            words = [sent.start + i for i in w.word_index if i >= 0]
            example[TEACHER_KEY] = soft[sent.doc][words]
        examples.append(example)
    return examples


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
    precision: str = "fp32"  # of training: fp32, or bf16 (mixed)


# An active-learning round stretched to a minimum of steps (many short epochs of a small set)
# compares at most this many checkpoints on dev: `simulate`'s rounds, `retrain --min-steps`.
ROUND_MAX_EVALS = 4


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


# A time-bounded run never trains fewer steps than this, however slow the machine: below it
# the model learns too little to pre-annotate with (BENCHMARKS.md, "A first model from `R`").
MIN_BOUNDED_STEPS = 100
# A probe times forward and backward only; clipping and the optimiser add about a fifth
# (BENCHMARKS.md, "Where a training step's time goes": 30.6 ms to 157 ms).
STEP_OVERHEAD = 1.2


def steps_within(seconds: float, step_s: float, wanted: int) -> int:
    """How many of ``wanted`` steps fit ``seconds`` at ``step_s`` each: a multiple of ten (a
    probe's noise then moves the count less often), never fewer than ``MIN_BOUNDED_STEPS``."""
    fits = int(seconds / max(step_s, 1e-6)) // 10 * 10
    return min(wanted, max(fits, MIN_BOUNDED_STEPS))


def probe_step_seconds(
    model: Any,
    tokenizer: Any,
    examples: Sequence[dict[str, Any]],
    batch_size: int,
    device: str,
    mixed: bool,
) -> float:
    """Seconds of one optimiser step here: a batch of middling length forward and backward
    (the quicker of two passes after an untimed one), times ``STEP_OVERHEAD``. The weights
    are left as they were."""
    import torch
    from transformers import DataCollatorForTokenClassification

    by_length = sorted(examples, key=lambda e: len(e["input_ids"]))
    mid = max(0, len(by_length) // 2 - batch_size // 2)
    rows = [
        {k: e[k] for k in ("input_ids", "attention_mask", "labels", "token_type_ids") if k in e}
        for e in by_length[mid : mid + batch_size]
    ]
    batch = DataCollatorForTokenClassification(tokenizer)(rows)
    batch = {k: v.to(device) for k, v in batch.items()}
    model.to(device).train()
    took = []
    for _ in range(3):
        t0 = time.perf_counter()
        with torch.autocast(device, dtype=torch.bfloat16, enabled=mixed):
            loss = model(**batch).loss
        loss.backward()
        if device == "cuda":
            torch.cuda.synchronize()
        took.append(time.perf_counter() - t0)
    model.zero_grad(set_to_none=True)
    return min(took[1:]) * STEP_OVERHEAD  # the quickest timed pass: the least disturbed


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
    unlabelled: Sequence[Document] = (),
    goes_on: bool = False,
) -> Fitted:
    """Fine-tune ``base`` (path, label) on ``train``, keep the best epoch on ``dev``, save it to
    ``out_dir`` and score it on dev (and test). Touches no database: `train`, `retrain` and
    `simulate` share it. ``goes_on``: ``base`` is a model an earlier round fine-tuned."""
    quiet_transformers()
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
    try:
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
    except (OSError, ValueError, RuntimeError, SafetensorError) as exc:
        # a directory with a config but missing or damaged weights or tokenizer files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{base_label}: cannot be loaded as a base model ({first})") from None
    if opts.word_shapes:
        add_shape_embeddings(model)
    shapes = uses_shapes(model.config.to_dict())
    setattr(model.config, CONTEXT_KEY, opts.context)
    # a model gone on from keeps the base it grew from (none where it records none: made
    # before models did, its base is unknown, and its own folder is no one's base)
    if not goes_on:
        setattr(model.config, BASE_KEY, base_label)
    max_length = min(opts.max_length, int(model.config.max_position_embeddings))
    soft = pool_soft = None
    if opts.teachers:
        log(f"Distilling from {len(opts.teachers)} teacher(s): their view of the training set.")
        if unlabelled:  # text they never trained on: where they say more than the gold
            log(f"Distilling on {len(unlabelled):,} unannotated pool documents too.")
        both = teacher_probs(opts.teachers, [*train, *unlabelled], tags, device)
        soft, pool_soft = both[: len(train)], both[len(train) :]
    train_ex = build_examples(train, tokenizer, label2id, max_length, shapes, opts.context, soft)
    if pool_soft:
        train_ex += build_examples(
            unlabelled, tokenizer, label2id, max_length, shapes, opts.context, pool_soft, True
        )
    chooser = list(dev)
    if 0 < opts.dev_sample < len(chooser):
        chooser = random.Random(opts.seed).sample(chooser, opts.dev_sample)
    mixed = opts.mixed_bf16(device)
    if opts.max_train_s > 0:
        step_s = probe_step_seconds(model, tokenizer, train_ex, opts.batch_size, device, mixed)
        wanted = steps(len(train_ex), opts)
        fits = steps_within(opts.max_train_s, step_s, wanted)
        if fits < wanted:
            log(
                f"A step takes about {step_s:.2f} s here: {fits} steps, to train in about "
                f"{opts.max_train_s:.0f} s."
            )
            opts = replace(opts, max_steps=fits)
        set_seed(opts.seed)  # the probe drew dropout masks: runs of one step count start alike
    epochs, every = schedule(len(train_ex), opts)
    total = steps(len(train_ex), opts)
    log(
        f"Training {base_label} on {len(train_ex):,} windows from {len(train):,} "
        f"documents; dev {len(chooser):,} documents; {epochs} epochs on {device}"
        + (" in bf16 mixed precision." if mixed else ".")
    )
    args = TrainingArguments(
        output_dir=str(work),
        # dev is scored by DevChooser, not by the Trainer, and the best is kept by it
        eval_strategy="no",
        save_strategy="no",
        logging_strategy="steps" if every else "epoch",
        logging_steps=every or 500,
        learning_rate=opts.learning_rate,
        num_train_epochs=epochs,
        max_steps=total,
        per_device_train_batch_size=opts.batch_size,
        warmup_steps=opts.warmup,
        weight_decay=opts.weight_decay,
        seed=opts.seed,
        data_seed=opts.seed,
        use_cpu=device == "cpu",
        bf16=mixed,
        train_sampling_strategy="group_by_length",
        report_to=[],
        disable_tqdm=True,  # the caller draws the progress (a rich bar, the round's row)
        dataloader_num_workers=0,
        remove_unused_columns=soft is None,  # the teachers' rows reach DistillCollator
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
                if not chooser and is_main_process():  # a refit prints no dev line: say so
                    done = round(state.epoch or 0, 2)
                    log(f"epoch {done:g}/{epochs} trained (loss {self.loss:.4f})")

    def report(epoch: float, found: dict[str, Any]) -> None:
        if progress is not None:
            progress.evaluated(epoch, epochs, found)
        else:
            log(
                f"epoch {epoch:.1f}/{epochs}: dev F1 {found['f1']:.4f} "
                f"(P {found['precision']:.4f} R {found['recall']:.4f})"
            )

    chosen = DevChooser(model, tokenizer, chooser, work, device, report)

    class Evaluate(TrainerCallback):
        """At the end of every epoch (or every ``every`` steps, and at the last step)."""

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if every and (state.global_step % every == 0 or state.global_step == total):
                chosen.evaluate(float(state.epoch or 0))

        def on_epoch_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if not every:
                chosen.evaluate(float(state.epoch or 0))

    try:
        collator: Any = DataCollatorForTokenClassification(tokenizer)

        class DistillTrainer(Trainer):
            def compute_loss(
                self,
                model: Any,
                inputs: dict[str, Any],
                return_outputs: bool = False,
                num_items_in_batch: Any = None,
            ) -> Any:
                teacher = inputs.pop("teacher_probs")
                outputs = model(**inputs)
                loss = distill_loss(outputs, inputs["labels"], teacher, opts.distill_weight)
                return (loss, outputs) if return_outputs else loss

        trainer = (DistillTrainer if soft is not None else Trainer)(
            model=model,
            args=args,
            train_dataset=_ListDataset(train_ex),
            data_collator=DistillCollator(collator) if soft is not None else collator,
            processing_class=tokenizer,
            callbacks=[Progress(), Evaluate()],
        )
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)  # it prints raw log dicts
        trainer.train()
        timings["train_s"] = time.perf_counter() - t0
        if not is_main_process():
            raise SystemExit(0)
        if chosen.best is None:  # nothing to choose on: the last weights
            model.save_pretrained(str(out_dir), safe_serialization=True)
            tokenizer.save_pretrained(str(out_dir))
        else:
            os.replace(chosen.best, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    t1 = time.perf_counter()
    # the chosen model's entities on the dev sample are known: only the rest is tagged
    known = {id(d): spans for d, spans in zip(chooser, chosen.predicted or [], strict=False)}
    rest = [d for d in dev if id(d) not in known]
    tagger = Tagger(out_dir, device=device) if rest or test else None
    if tagger is not None and rest:
        known.update(zip(map(id, rest), tagger.tag(rest), strict=True))
    dev_metrics = score(dev, [known[id(d)] for d in dev])
    test_metrics = score(test, tagger.tag(test)) if tagger is not None and test else None
    timings["evaluate_s"] = time.perf_counter() - t1
    precision = "bf16" if mixed else "fp32"
    best_epoch = None if chosen.epoch is None else round(chosen.epoch, 2)
    return Fitted(out_dir, dev_metrics, test_metrics, best_epoch, len(train_ex), timings, precision)


class DevChooser:
    """Scores the model on dev while it trains, as the user's tagger would (the same
    windows, decoding and entity-level F1 as `evaluate`), and keeps the best (the first of
    equals) as a model directory.

    The Trainer's own evaluation ran the transformers model with argmax and seqeval: 8 s for
    1,000 dev sentences on 2 cores, against about 4.5 s for saving the model, loading it in
    the lite BERT, tagging them in bf16 and scoring (BENCHMARKS.md, "One retrain round")."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        dev: Sequence[Document],
        work: Path,
        device: str,
        report: Callable[[float, dict[str, Any]], None],
    ):
        self.model, self.tokenizer, self.dev, self.work = model, tokenizer, dev, work
        self.device, self.report = device, report
        self.best: Path | None = None
        self.metrics: dict[str, Any] | None = None
        self.predicted: list[list[Span]] | None = None  # the best's entities on dev
        self.epoch: float | None = None
        self.count = 0

    def evaluate(self, epoch: float) -> None:
        if not self.dev or not is_main_process():
            return
        self.count += 1
        here = self.work / f"eval-{self.count}"
        self.model.save_pretrained(str(here), safe_serialization=True)
        self.tokenizer.save_pretrained(str(here))
        tagger = Tagger(here, device=self.device)
        predicted = tagger.tag(self.dev)
        found = score(self.dev, predicted)
        del tagger
        self.report(epoch, found)
        if self.metrics is None or found["f1"] > self.metrics["f1"]:
            if self.best is not None:
                shutil.rmtree(self.best, ignore_errors=True)
            self.best, self.metrics, self.epoch = here, found, epoch
            self.predicted = predicted
        else:
            shutil.rmtree(here, ignore_errors=True)


class _ListDataset:
    """The Trainer needs only __len__ and __getitem__; no Arrow round trip for a list."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.rows[i]
