"""One active-learning round: train, promote if not worse, re-score the pool for the queue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.active.scoring import score_with_model
from workbench.active.strategies import STRATEGIES, rank
from workbench.errors import WorkbenchError
from workbench.model.train import Log, TrainOptions, TrainResult, train_model
from workbench.project import Project
from workbench.store.documents import count_by_split_status, iter_documents

MIN_TRAINING_DOCUMENTS = 10


@dataclass
class RetrainOptions:
    strategy: str = "mnlp"
    batch: int = 50  # the next batch: how many of the queue's head the round reports
    epochs: int = 3
    learning_rate: float = 1e-4
    batch_size: int = 16
    device: str = "auto"
    warm_start: bool = False
    promote: str = "auto"
    cost_aware: bool = False
    seed: int = 13


@dataclass
class RetrainResult:
    train: TrainResult
    scored: int
    next_batch: list[tuple[int, float]]


def training_documents(project: Project) -> int:
    """Accepted documents of the train split and the pool: what a round trains on."""
    conn = project.connect()
    try:
        counts = count_by_split_status(conn)
    finally:
        conn.close()
    return counts.get(("train", "accepted"), 0) + counts.get(("pool", "accepted"), 0)


def retrain(project: Project, opts: RetrainOptions, log: Log) -> RetrainResult:
    if opts.strategy not in STRATEGIES:
        raise WorkbenchError(f"unknown strategy {opts.strategy!r} (one of {', '.join(STRATEGIES)})")
    if opts.promote not in ("auto", "always"):
        raise WorkbenchError(f"--promote is auto or always, not {opts.promote!r}")
    have = training_documents(project)
    if have < MIN_TRAINING_DOCUMENTS:
        raise WorkbenchError(
            f"need at least {MIN_TRAINING_DOCUMENTS} accepted documents to train (have {have}): "
            f"accept {MIN_TRAINING_DOCUMENTS - have} more in `workbench annotate`, or import a "
            "train split"
        )
    base: str | None = None
    if opts.warm_start:
        active = project.active_model_dir()
        if active is None:
            raise WorkbenchError("--warm-start needs an active model; run one round without it")
        base = str(active)

    scored: list[tuple[int, float]] = []

    def score_pool(model_dir: Path) -> list[tuple[int, float]]:
        conn = project.connect()
        try:
            pool = list(iter_documents(conn, splits=["pool"], statuses=["new", "draft"]))
        finally:
            conn.close()
        if not pool:
            return []
        scores = score_with_model(
            model_dir,
            [s.document for s in pool],
            opts.strategy,
            seed=opts.seed,
            cost_aware=opts.cost_aware,
            device=opts.device,
        )
        scored[:] = [(s.id, sc) for s, sc in zip(pool, scores, strict=True)]
        return scored

    result = train_model(
        project,
        TrainOptions(
            base_model=base,
            epochs=opts.epochs,
            learning_rate=opts.learning_rate,
            batch_size=opts.batch_size,
            device=opts.device,
            seed=opts.seed,
            kind="retrain",
            strategy=opts.strategy + ("+cost" if opts.cost_aware else ""),
            promote=opts.promote,
        ),
        log,
        score_pool=score_pool,
    )
    head = [scored[i] for i in rank([score for _, score in scored])[: opts.batch]]
    return RetrainResult(result, len(scored), head)
