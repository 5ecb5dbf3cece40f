"""One training round, end to end: the lock, the round row, training, promotion, the queue.

`workbench train` and `workbench retrain` both run a round. The model is written to
``models/.incoming-<round>``, scored, renamed to ``models/model-<round>`` and only then
registered (and made active when promoted) in one transaction with the pool's new queue
scores: a kill at any point leaves the previous active model active, and the round is marked
`failed` by the next command that reads the rounds.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.active.corpus import load_corpus, unannotated_pool
from workbench.active.round_lock import round_lock
from workbench.active.trained_on import read_trained_on, text_key, write_trained_on
from workbench.core import spans_to_bio
from workbench.model.base import BUNDLED, resolve_base_model
from workbench.model.soup import mark_refit
from workbench.model.train import (
    Fitted,
    Log,
    TrainOptions,
    TrainProgress,
    fit,
    is_main_process,
)
from workbench.project import Project
from workbench.store.rounds import (
    ModelRecord,
    active_model,
    fail_round,
    finish_round,
    mark_stale_rounds,
    registered_model_dirs,
    set_phase,
    set_progress,
    start_round,
)

# Scores the pool with the model directory that will be active, in the round of that id:
# [(document id, score)].
PoolScorer = Callable[[Path, int], list[tuple[int, float]]]


@dataclass
class RoundOptions:
    train: TrainOptions = field(default_factory=TrainOptions)
    base_model: str | None = None  # None: the project's base model
    kind: str = "train"  # train or retrain
    strategy: str | None = None
    promote: str = "always"  # "always", or "auto": only when dev F1 is not below the active's
    note: str = ""  # what the dashboard says of this round's recipe (a quick first round)
    went_on_from: str = ""  # the model directory's name the round went on from (retrain)
    # A refit: dev joins training for exactly the epochs asked (chosen on dev by an earlier
    # run), the last is kept, and the model has no dev score (BioBERT's recipe; `train
    # --with-dev`). Nothing compares against it on dev, so `auto` never replaces it.
    with_dev: bool = False


@dataclass
class RoundResult:
    round_id: int
    model_id: int
    path: Path
    base_model: str
    dev: dict[str, Any] | None  # None: dev trained it (a refit)
    test: dict[str, Any] | None
    best_epoch: float | None
    timings: dict[str, float] = field(default_factory=dict)
    promoted: bool = True


def clean_incoming(models_dir: Path, registered: set[str] | None = None) -> None:
    """Leftovers of a killed run: never registered, safe to delete."""
    if not models_dir.is_dir():
        return
    if registered is not None:
        for d in models_dir.glob("model-*"):
            if d.is_dir() and d.name not in registered:
                shutil.rmtree(d, ignore_errors=True)
    for pattern in (".incoming-*", ".work-*"):
        for leftover in models_dir.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def run_round(
    project: Project,
    opts: RoundOptions,
    log: Log,
    score_pool: PoolScorer | None = None,
    progress: TrainProgress | None = None,
) -> RoundResult:
    """Train, decide promotion, optionally score the pool, register: one round."""
    if not is_main_process():  # other ranks of `accelerate launch` only train
        return _run(project, opts, log, score_pool, progress)
    with round_lock(project.models_dir):
        return _run(project, opts, log, score_pool, progress)


class _RowProgress:
    """The round's row follows the steps (at most every two seconds: the dashboard reads it
    once a second), and so does the caller's progress bar."""

    def __init__(self, conn: Any, round_id: int, outer: TrainProgress | None):
        self.conn, self.round_id, self.outer = conn, round_id, outer
        self.last = 0.0

    def step(self, step: int, total: int, loss: float | None) -> None:
        now = time.monotonic()
        if now - self.last > 2 or step == total:
            self.last = now
            set_progress(self.conn, self.round_id, step, total)
        if self.outer is not None:
            self.outer.step(step, total, loss)

    def evaluated(self, epoch: float, epochs: int, metrics: dict[str, float]) -> None:
        if self.outer is not None:
            self.outer.evaluated(epoch, epochs, metrics)


def _run(
    project: Project,
    opts: RoundOptions,
    log: Log,
    score_pool: PoolScorer | None,
    progress: TrainProgress | None,
) -> RoundResult:
    context = opts.train.documents_context()  # reads the teachers' configs
    corpus = load_corpus(project, context)
    if opts.with_dev:
        log(
            f"Refit: the {len(corpus.dev):,} dev documents join training; all "
            f"{opts.train.epochs} epochs are trained and the last is kept, without a dev score."
        )
        corpus = replace(corpus, train=corpus.train + corpus.dev, dev=[], dev_from_train=False)
    elif corpus.dev_from_train:
        log(f"No dev split: holding out {len(corpus.dev)} training documents for model selection.")
    flat = sum(spans_to_bio(d.tokens, d.spans)[1] for d in corpus.train + corpus.dev)
    if flat:
        log(
            f"{flat} overlapping entities (nested or crossing) stay in the project but are left"
            " out of training and scoring: the tagger is flat (BIO)."
        )
    # only the configured default may fall back to the bundled encoder (and it is recorded)
    configured = opts.base_model is None
    base = resolve_base_model(
        opts.base_model or project.config.base_model, log, fallback=configured
    )
    fallback = configured and base[1] == BUNDLED and project.config.base_model != BUNDLED
    main = is_main_process()
    conn = project.connect()
    round_id = 0
    if main:
        mark_stale_rounds(conn)
        clean_incoming(project.models_dir, registered_model_dirs(conn))
        round_id = start_round(conn, opts.kind, opts.strategy, corpus.sizes())
    incoming = project.models_dir / f".incoming-{round_id}"
    pool = unannotated_pool(project, context) if opts.train.teachers else []
    unlabelled = [s.document for s in pool]  # the teachers' text beside the gold
    try:
        fitted = fit(
            corpus.train,
            corpus.dev,
            [],  # the test split is never read by a round (active/corpus.py)
            project.config.label_names,
            base,
            opts.train,
            incoming,
            log,
            progress=_RowProgress(conn, round_id, progress) if main else progress,
            unlabelled=unlabelled,
            goes_on=bool(opts.went_on_from),
        )
        dev = None if opts.with_dev else fitted.dev
        if opts.with_dev:
            mark_refit(incoming)  # the directory itself says so, wherever it is read
        if main:  # what trained it, through every round it went on from (unknown: unsaid)
            earlier = read_trained_on(Path(base[0])) if opts.went_on_from else set()
            if earlier is not None:
                write_trained_on(incoming, earlier | {text_key(d.text) for d in corpus.train})
        active = active_model(conn)
        promote = promotes(opts.promote, dev, active, log)
        timings = dict(fitted.timings)
        scores: list[tuple[int, float]] = []
        if score_pool is not None:
            set_phase(conn, round_id, "scoring")
            t0 = time.perf_counter()
            queue_model = incoming if promote or active is None else project.model_dir(active.path)
            scores = score_pool(queue_model, round_id)
            timings["score_s"] = time.perf_counter() - t0

        model_id, final = register(
            project,
            conn,
            round_id,
            incoming,
            metrics={
                **_metrics(fitted, dev, corpus.dev_from_train, len(corpus.train)),
                **({"base_fallback_from": project.config.base_model} if fallback else {}),
                **({"note": opts.note} if opts.note else {}),
                **({"went_on_from": opts.went_on_from} if opts.went_on_from else {}),
            },
            timings=timings,
            base_model=base[1],
            activate=promote,
            scores=scores,
            strategy=opts.strategy or "",
        )
        return RoundResult(
            round_id,
            model_id,
            final,
            base[1],
            dev,
            fitted.test,
            fitted.best_epoch,
            timings,
            promote,
        )
    except BaseException as exc:
        abandon(conn, round_id if main else 0, incoming, exc)
        raise
    finally:
        conn.close()


def register(
    project: Project, conn: Any, round_id: int, incoming: Path, **finish: Any
) -> tuple[int, Path]:
    """The incoming model renamed to ``models/model-<round>``, then registered (and the round
    closed) in one transaction: until then the previous active model stays active."""
    final = project.models_dir / f"model-{round_id:04d}"
    _readable_like_the_rest(incoming)
    os.replace(incoming, final)
    model_id = finish_round(
        conn, round_id, model_path=str(final.relative_to(project.root)), **finish
    )
    return model_id, final


def abandon(conn: Any, round_id: int, incoming: Path, exc: BaseException) -> None:
    """A round that failed or was interrupted: recorded as failed (with the first line of
    why), its unregistered model removed."""
    if round_id:
        reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
        fail_round(conn, round_id, reason.splitlines()[0][:500] if reason else repr(exc))
    shutil.rmtree(incoming, ignore_errors=True)


def promotes(
    promote: str, dev: dict[str, Any] | None, active: ModelRecord | None, log: Log
) -> bool:
    """Whether a new model becomes active: always, or (``auto``) when its dev F1 is not below
    the active model's; a model without a dev score never replaces one under ``auto``."""
    current = None if active is None else active.f1
    if promote == "always" or active is None:
        return True
    if dev is None or current is None:
        log(
            "the new model and the active one cannot be compared on dev (one was trained "
            "on it): the new model is kept but not made active (--promote always overrides)"
        )
        return False
    if dev["f1"] < current:
        log(
            f"dev F1 {dev['f1']:.4f} is below the active model's {current:.4f}: "
            "the new model is kept but not made active (--promote always overrides)"
        )
        return False
    return True


def _readable_like_the_rest(directory: Path) -> None:
    """Every file of a model directory gets the mode a new file gets here: some writers
    (safetensors) create theirs private, and a model is shared like its other files."""
    umask = os.umask(0)
    os.umask(umask)
    for path in directory.rglob("*"):
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def _metrics(
    fitted: Fitted, dev: dict[str, Any] | None, dev_from_train: bool, train_documents: int
) -> dict[str, Any]:
    """What the rounds and models tables keep: the dev headline first, then the details.
    A refit has no dev headline (None): dev trained it."""
    return {
        **{k: None if dev is None else dev[k] for k in ("precision", "recall", "f1", "accuracy")},
        "dev": dev,
        **({"refit": True} if dev is None else {}),
        "test": fitted.test,
        "best_epoch": fitted.best_epoch,
        "dev_from_train": dev_from_train,
        "train_documents": train_documents,
        "train_windows": fitted.train_windows,
        "train_precision": fitted.precision,
    }
