"""Fine-tuning: build word-aligned examples, train with the HF Trainer, pick the best epoch.

The model is written to ``models/.incoming-<round>``, scored, renamed into
``models/`` and only then registered and made active, in one transaction: a
kill at any point leaves the previous active model active and nothing half
written registered.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core import Document, spans_to_bio, tag_names
from workbench.core.sentences import sentence_ranges
from workbench.model.base import resolve_base_model
from workbench.model.errors import ModelError
from workbench.model.evaluate import score
from workbench.model.predict import Tagger, _quiet_transformers, pick_device
from workbench.model.round_lock import round_lock
from workbench.model.windows import make_windows, word_pieces
from workbench.project import Project
from workbench.store.documents import iter_documents
from workbench.store.models import (
    active_dev_f1,
    active_model_path,
    fail_round,
    finish_round,
    mark_stale_rounds,
    registered_model_dirs,
    set_phase,
    set_progress,
)
from workbench.store.models import start_round as db_start_round

Log = Callable[[str], None]


@dataclass
class TrainOptions:
    base_model: str | None = None  # None: the project's base model
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
    dev_fraction: float = 0.1  # held out from training when the project has no dev split
    kind: str = "train"
    strategy: str | None = None
    promote: str = "always"  # "always", or "auto": only when dev F1 is not below the active's
    progress_bar: bool = True


@dataclass
class TrainResult:
    round_id: int
    model_id: int
    path: Path
    base_model: str
    dev: dict[str, Any]
    test: dict[str, Any] | None
    best_epoch: float | None
    timings: dict[str, float] = field(default_factory=dict)
    promoted: bool = True


@dataclass
class Corpus:
    train: list[Document]
    dev: list[Document]
    test: list[Document]
    dev_from_train: bool


def load_corpus(project: Project, dev_fraction: float, seed: int) -> Corpus:
    """Train: the train split plus every accepted pool document; dev and test: gold splits."""
    conn = project.connect()
    try:
        train = [
            s.document
            for s in iter_documents(conn, splits=["train", "pool"], statuses=["accepted"])
        ]
        dev = [s.document for s in iter_documents(conn, splits=["dev"])]
        test = [s.document for s in iter_documents(conn, splits=["test"])]
    finally:
        conn.close()
    if not train:
        raise ModelError(
            "nothing to train on: import gold data with `workbench import FILE --split train` "
            "or accept documents in `workbench annotate`"
        )
    known = set(project.config.label_names)
    unknown = sorted({s.label for d in train + dev + test for s in d.spans} - known)
    if unknown:
        raise ModelError(
            f"the data has labels that workbench.toml does not list ({', '.join(unknown)}); "
            "add them to its [[labels]] to train on them"
        )
    dev_from_train = False
    if not dev:
        if len(train) < 10:
            raise ModelError(
                f"only {len(train)} training documents and no dev split: import one with "
                "`workbench import FILE --split dev` or accept more documents"
            )
        rng = random.Random(seed)
        order = list(range(len(train)))
        rng.shuffle(order)
        cut = max(1, int(len(train) * dev_fraction))
        held = set(order[:cut])
        dev = [d for i, d in enumerate(train) if i in held]
        train = [d for i, d in enumerate(train) if i not in held]
        dev_from_train = True
    return Corpus(train, dev, test, dev_from_train)


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


def _is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def clean_incoming(models_dir: Path, registered: set[str] | None = None) -> None:
    """Leftovers of a killed run: never registered, safe to delete."""
    if models_dir.is_dir() and registered is not None:
        for d in models_dir.glob("model-*"):
            if d.is_dir() and d.name not in registered:
                shutil.rmtree(d, ignore_errors=True)
    if models_dir.is_dir():
        for leftover in models_dir.glob(".incoming-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in models_dir.glob(".work-*"):
            shutil.rmtree(leftover, ignore_errors=True)


PoolScorer = Callable[[Path], list[tuple[int, float]]]


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
    total = per_epoch * epochs if opts.max_steps <= 0 else opts.max_steps
    if opts.max_evals and epochs > opts.max_evals:
        return epochs, max(1, math.ceil(total / opts.max_evals))
    return epochs, 0


def fit(
    train: Sequence[Document],
    dev: Sequence[Document],
    test: Sequence[Document],
    labels: Sequence[str],
    base: tuple[str, str],
    opts: TrainOptions,
    out_dir: Path,
    log: Log,
    on_step: Callable[[int, int], None] | None = None,
) -> Fitted:
    """Fine-tune ``base`` (path, label) on ``train``, keep the best epoch on ``dev``, save it to
    ``out_dir`` and score it on dev (and test). Touches no database: `train`, `retrain` and
    `simulate` share it."""
    _quiet_transformers()
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
    dev_ex = build_examples(dev, tokenizer, label2id, max_length)
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
        max_steps=opts.max_steps,
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
        disable_tqdm=not opts.progress_bar,  # quiet logging would otherwise hide the bar
        dataloader_num_workers=0,
    )

    class Progress(TrainerCallback):
        last = 0.0

        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            now = time.monotonic()
            if on_step and (now - self.last > 2 or state.global_step == state.max_steps):
                self.last = now
                on_step(state.global_step, state.max_steps)

        def on_evaluate(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            m = kw.get("metrics", {})
            log(
                f"epoch {state.epoch:.1f}/{epochs}: dev F1 {m.get('eval_f1', 0):.4f} "
                f"(P {m.get('eval_precision', 0):.4f} R {m.get('eval_recall', 0):.4f})"
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
        trainer.train()
        timings["train_s"] = time.perf_counter() - t0
        best_epoch = _best_epoch(trainer.state)
        if not _is_main_process():
            raise SystemExit(0)
        trainer.save_model(str(out_dir))
        tokenizer.save_pretrained(str(out_dir))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    t1 = time.perf_counter()
    tagger = Tagger(out_dir, device=device)
    dev_metrics = score(dev, [p.spans for p in tagger.predict(dev)])
    test_metrics = score(test, [p.spans for p in tagger.predict(test)]) if test else None
    timings["evaluate_s"] = time.perf_counter() - t1
    return Fitted(out_dir, dev_metrics, test_metrics, best_epoch, len(train_ex), timings)


def train_model(
    project: Project,
    opts: TrainOptions,
    log: Log,
    score_pool: PoolScorer | None = None,
) -> TrainResult:
    """One round: fit, score, decide promotion, optionally score the pool, register.

    Nothing is registered until the last transaction, which adds the model,
    moves the active flag, stores the queue scores and closes the round.
    """
    main = _is_main_process()
    if not main:  # other ranks of `accelerate launch` only train; rank 0 keeps the books
        return _train_unlocked(project, opts, log, score_pool)
    with round_lock(project.models_dir):
        return _train_unlocked(project, opts, log, score_pool)


def _train_unlocked(
    project: Project,
    opts: TrainOptions,
    log: Log,
    score_pool: PoolScorer | None,
) -> TrainResult:
    corpus = load_corpus(project, opts.dev_fraction, opts.seed)
    if corpus.dev_from_train:
        log(f"No dev split: holding out {len(corpus.dev)} training documents for model selection.")
    base = resolve_base_model(opts.base_model or project.config.base_model, log)
    conn = project.connect()
    main = _is_main_process()
    round_id = 0
    if main:
        mark_stale_rounds(conn)
        clean_incoming(project.models_dir, registered_model_dirs(conn))
        sizes = {
            "documents": len(corpus.train),
            "sentences": sum(len(sentence_ranges(d)) for d in corpus.train),
            "tokens": sum(len(d.tokens) for d in corpus.train),
        }
        round_id = db_start_round(conn, opts.kind, opts.strategy, sizes)
    incoming = project.models_dir / f".incoming-{round_id}"
    try:
        fitted = fit(
            corpus.train,
            corpus.dev,
            corpus.test,
            project.config.label_names,
            base,
            opts,
            incoming,
            log,
            on_step=(lambda step, total: set_progress(conn, round_id, step, total))
            if main
            else None,
        )
        timings = dict(fitted.timings)
        metrics = {
            **_headline(fitted.dev),
            "dev": fitted.dev,
            "test": fitted.test,
            "best_epoch": fitted.best_epoch,
            "dev_from_train": corpus.dev_from_train,
            "train_documents": len(corpus.train),
            "train_windows": fitted.train_windows,
        }
        current = active_dev_f1(conn)
        promote = opts.promote == "always" or current is None or fitted.dev["f1"] >= current
        if not promote:
            log(
                f"dev F1 {fitted.dev['f1']:.4f} is below the active model's {current:.4f}: "
                "the new model is kept but not made active (--promote always overrides)"
            )
        scores: list[tuple[int, float]] = []
        if score_pool is not None:
            set_phase(conn, round_id, "scoring")
            t2 = time.perf_counter()
            active_path = active_model_path(conn)
            queue_model = (
                incoming if promote or active_path is None else project.model_dir(active_path)
            )
            scores = score_pool(queue_model)
            timings["score_s"] = time.perf_counter() - t2

        final = project.models_dir / f"model-{round_id:04d}"
        os.replace(incoming, final)
        model_id = finish_round(
            conn,
            round_id,
            metrics=metrics,
            timings=timings,
            model_path=str(final.relative_to(project.root)),
            base_model=base[1],
            activate=promote,
            scores=scores,
            strategy=opts.strategy or "",
        )
        return TrainResult(
            round_id,
            model_id,
            final,
            base[1],
            fitted.dev,
            fitted.test,
            fitted.best_epoch,
            timings,
            promote,
        )
    except BaseException as exc:
        if main and round_id:
            reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
            fail_round(conn, round_id, reason.splitlines()[0][:500] if reason else repr(exc))
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    finally:
        conn.close()


def _headline(m: dict[str, Any]) -> dict[str, Any]:
    return {k: m[k] for k in ("precision", "recall", "f1", "accuracy")}


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
