"""`train`, `retrain` and `evaluate`: the model use cases the CLI and the TUI share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.active.corpus import sample_pool, training_documents
from workbench.active.round import RoundOptions, RoundResult, run_round
from workbench.active.scoring import check_pool_sample, pool_sample_size, score_with_model
from workbench.active.strategies import STRATEGIES, rank
from workbench.active.trained_on import judging_keys, read_trained_on, write_trained_on
from workbench.core import Span
from workbench.errors import ModelError, WorkbenchError
from workbench.model.train import ROUND_MAX_EVALS, TrainOptions, TrainProgress
from workbench.model.windows import model_dir_context
from workbench.project import Project
from workbench.store.documents import SPLITS, iter_documents
from workbench.store.rounds import ModelRecord, list_models
from workbench.store.rounds import activate_model as activate

Log = Callable[[str], None]
MIN_TRAINING_DOCUMENTS = 10
EVAL_CHUNK = 256  # documents between two progress reports
HEADLINE = ("precision", "recall", "f1", "accuracy")  # a model's dev figures, kept first


def train(
    project: Project,
    opts: TrainOptions,
    log: Log,
    base_model: str | None = None,
    progress: TrainProgress | None = None,
    with_dev: bool = False,
) -> RoundResult:
    """Fine-tune on the train split and accepted documents; the new model is made active.
    ``with_dev``: refit on train + dev for exactly ``opts.epochs``, keeping the last."""
    opts.check()
    return run_round(
        project,
        RoundOptions(train=opts, base_model=base_model, with_dev=with_dev),
        log,
        progress=progress,
    )


# The first round of a project (no model yet) is quick: a bounded number of steps, chosen on a
# dev sample, so that the screen's `R` gives a first model in a few minutes on 2 CPU cores;
# later rounds train the full recipe. The dashboard marks the quick one.
QUICK_STEPS = 250
QUICK_DEV_SAMPLE = 500
# ... and fewer steps where they would take longer than this: 250 steps were 57 s on a 2-core
# CPU with bf16 but 208 s on one without (AVX2 only), whose first model then came after 277 s.
QUICK_TRAIN_S = 90.0
# ... at a higher peak learning rate, chosen on dev (demo project, AVX2 CPU): 0.7968 against
# 0.7740 at 1e-4 in 250 steps, 0.7462 against 0.6206 in 120 (BENCHMARKS.md).
QUICK_LEARNING_RATE = 3e-4


# Within a round, the epochs are compared on a sample of dev (the round's model is then
# scored on all of it): a full dev pass per epoch was two thirds of a round on 2 CPU cores.
ROUND_DEV_SAMPLE = 1000


def round_recipe(**given: Any) -> TrainOptions:
    """A retrain round's training options: what is given, and a dev sample to choose the
    epoch on (whoever builds the options, the command line or a test)."""
    evals = ROUND_MAX_EVALS if given.get("min_steps") else 0
    return TrainOptions(**{"dev_sample": ROUND_DEV_SAMPLE, "max_evals": evals, **given})


@dataclass
class RetrainOptions:
    strategy: str = "mnlp"
    batch: int = 50  # the next batch: how many of the queue's head the round reports
    train: TrainOptions = field(default_factory=lambda: round_recipe(epochs=3))
    # go on from the active model (None: where `cannot_go_on_from` finds nothing against it):
    # at 500 sentences a second round from the base fell below the quick first one
    warm_start: bool | None = None
    promote: str = "auto"
    cost_aware: bool = False
    quick_first: bool = True
    quick_learning_rate: float = QUICK_LEARNING_RATE
    pool_sample: int | None = None  # scored a round (None: `pool_sample_size`'s rule; 0: all)


@dataclass
class RetrainResult:
    round: RoundResult
    scored: int
    pool: int  # the pool's documents still to annotate: more than ``scored`` when sampled
    next_batch: list[tuple[int, float]]


def retrain(
    project: Project, opts: RetrainOptions, log: Log, progress: TrainProgress | None = None
) -> RetrainResult:
    """One active-learning round: train on everything accepted, promote if not worse, and
    re-order the queue by the strategy's uncertainty."""
    if opts.strategy not in STRATEGIES:
        raise WorkbenchError(f"unknown strategy {opts.strategy!r} (one of {', '.join(STRATEGIES)})")
    if opts.promote not in ("auto", "always"):
        raise WorkbenchError(f"--promote is auto or always, not {opts.promote!r}")
    opts.train.check()
    # `random` needs no model to score, so all of the pool is shuffled at no cost
    sample = 0 if opts.strategy == "random" else pool_sample_size(opts.pool_sample, opts.batch)
    check_pool_sample(sample, opts.batch)
    if opts.strategy == "random" and opts.pool_sample:
        log("random shuffles the whole pool: the pool sample is for strategies that score it.")
    have = training_documents(project)
    if have < MIN_TRAINING_DOCUMENTS:
        raise WorkbenchError(
            f"need at least {MIN_TRAINING_DOCUMENTS} accepted documents to train (have {have}): "
            f"accept {MIN_TRAINING_DOCUMENTS - have} more in `workbench annotate`, or import a "
            "train split"
        )
    recipe = opts.train
    note = ""
    active = project.active_model_dir()
    if opts.quick_first and active is None and recipe.max_steps <= 0:
        recipe = replace(
            recipe,
            max_steps=QUICK_STEPS,
            max_evals=1,
            dev_sample=QUICK_DEV_SAMPLE,
            max_train_s=QUICK_TRAIN_S,
            learning_rate=opts.quick_learning_rate,
        )
        note = "quick first round"
        log(
            f"No model yet: a {note} of at most {QUICK_STEPS} steps at learning rate "
            f"{opts.quick_learning_rate:g}, fewer where they would take over "
            f"{QUICK_TRAIN_S:.0f} s (later ones train fully)."
        )
    base: str | None = None
    if opts.warm_start and active is None:
        raise WorkbenchError("--warm-start needs an active model; run one round without it")
    if active is not None and opts.warm_start is not False:
        why_not = cannot_go_on_from(project, active, asked=bool(opts.warm_start))
        if why_not and opts.warm_start:
            raise WorkbenchError(f"--warm-start: {why_not}; run `retrain --cold-start`")
        if why_not:
            log(f"This round trains from the base model: {why_not}.")
        else:
            base = str(active)
            log(f"Going on from the active model, {active.name} (--cold-start: from the base).")
            if not recipe.context:  # it goes on reading the text it was trained to read
                recipe = replace(recipe, context=model_dir_context(active))

    scored: list[tuple[int, float]] = []
    pool_size = 0

    def score_pool(model_dir: Path, round_id: int) -> list[tuple[int, float]]:
        nonlocal pool_size
        # a fresh sample each round, so that no document is left out of every one
        drawn = sample_pool(
            project,
            sample,
            seed=opts.train.seed * 1000 + round_id,
            context=model_dir_context(model_dir),
        )
        pool, pool_size = drawn.documents, drawn.total
        if len(pool) < pool_size:
            log(
                f"Scoring a random {len(pool):,} of the pool's {pool_size:,} documents to "
                "annotate (drawn afresh each round; --pool-sample 0 scores all)."
            )
        scores = score_with_model(
            model_dir,
            [s.document for s in pool],
            opts.strategy,
            seed=opts.train.seed,
            cost_aware=opts.cost_aware,
            device=opts.train.device,
        )
        scored[:] = [(s.id, sc) for s, sc in zip(pool, scores, strict=True)]
        return scored

    result = run_round(
        project,
        RoundOptions(
            train=recipe,
            base_model=base,
            kind="retrain",
            strategy=opts.strategy + ("+cost" if opts.cost_aware else ""),
            promote=opts.promote,
            note=note,
            went_on_from=Path(base).name if base else "",
        ),
        log,
        score_pool=score_pool,
        progress=progress,
    )
    head = [scored[i] for i in rank([score for _, score in scored])[: opts.batch]]
    return RetrainResult(result, len(scored), pool_size, head)


def cannot_go_on_from(project: Project, active: Path, asked: bool = False) -> str:
    """Why a round may not go on from the active model ('' where it may): it cannot be read,
    dev trained it, texts that trained it would judge the round (or it does not say which,
    where no dev split guards), or its labels are not the project's; unless ``asked``
    (--warm-start), also where it did not grow from the project's base model."""
    from workbench.core.bio import tag_names
    from workbench.model.base import missing_parts, resolve_base_model
    from workbench.model.model_dir import read_model_dir
    from workbench.model.windows import BASE_KEY

    try:
        model = read_model_dir(active)
    except ModelError as exc:
        return f"the active model cannot be read ({exc})"
    if missing := missing_parts(active):
        return f"the active model cannot be read (no {' or '.join(missing)} in {active})"
    if _refit(project, active):
        return "dev trained the active model (a refit), so no round from it could be judged on dev"
    trained = read_trained_on(active)
    if trained is None and not _has_gold(project, "dev"):
        return (
            "the active model does not record which documents trained it, and without a dev "
            "split a round going on from it could be judged on some of them"
        )
    judged = trained & judging_keys(project) if trained else set()
    if judged:
        return (
            f"{len(judged):,} of the documents a round is judged on trained the active model "
            "(moved into dev, or held out anew), so a round going on from it would be judged "
            "on its own training data"
        )
    if model.tags != tag_names(project.config.label_names):
        return "the active model's labels are not workbench.toml's"
    if asked:
        return ""
    grew_from = model.config.get(BASE_KEY)
    if grew_from is None:
        return "the active model does not record the base model it grew from (an older model)"
    if grew_from == project.config.base_model:  # bundled, or a Hub name: not looked up, so a
        return ""  # machine off the Hub goes on from the model it has rather than fall back
    # a local directory, as a round from the base would name it
    base = resolve_base_model(project.config.base_model, lambda _: None, fallback=True)[1]
    if grew_from != base:
        return f"the active model grew from {grew_from}, not from the project's {base}"
    return ""


@dataclass
class Evaluation:
    model: Path
    split: str
    documents: int
    precision_mode: str
    metrics: dict[str, Any]


def evaluate(
    project: Project,
    split: str,
    model: Path | None = None,
    device: str = "auto",
    precision: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Seqeval and the error breakdown of a model (default: the active one) on a gold split."""
    from workbench.model.evaluate import score
    from workbench.model.predict import Tagger

    if split not in SPLITS:
        raise WorkbenchError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    path = model if model is not None else project.active_model_dir()
    conn = project.connect()
    try:
        docs = [
            s.document
            for s in iter_documents(
                conn, splits=[split], statuses=["accepted"], context_words=_reads_context(path)
            )
        ]
    finally:
        conn.close()
    if not docs:
        raise WorkbenchError(
            f"the project has no {split} documents to score: import gold data with "
            f"`workbench import FILE --split {split}`"
        )
    if path is None:
        raise ModelError("no model yet: run `workbench train` first, or pass --model PATH")
    tagger = Tagger(path, device=device, precision=precision)
    predicted: list[list[Span]] = []
    for i in range(0, len(docs), EVAL_CHUNK):
        predicted += tagger.tag(docs[i : i + EVAL_CHUNK])
        if progress is not None:
            progress(min(i + EVAL_CHUNK, len(docs)), len(docs))
    metrics = score(docs, predicted)
    metrics["precision_mode"] = tagger.precision
    if split == "dev" and _refit(project, path):
        metrics["trained_on_split"] = True
    return Evaluation(path, split, len(docs), tagger.precision, metrics)


def _reads_context(path: Path | None) -> int:
    """Words of running text the model reads around a sentence; 0 where there is no model
    to read (the tagger says why, after the documents are checked)."""
    if path is None:
        return 0
    try:
        return model_dir_context(path)
    except ModelError:
        return 0


def _refit(project: Project, path: Path) -> bool:
    """Whether dev trained ``path`` (`train --with-dev`): as its own config says, or as this
    project recorded for models made before configs said so."""
    from workbench.model.soup import is_refit

    if is_refit(path):
        return True
    here = path.resolve()
    return any(
        m.metrics.get("refit") and project.model_dir(m.path).resolve() == here
        for m in list_project_models(project)
    )


def list_project_models(project: Project) -> list[ModelRecord]:
    conn = project.connect()
    try:
        return list_models(conn)
    finally:
        conn.close()


def activate_model(project: Project, model_id: int) -> ModelRecord:
    """Make a registered model active; its directory must still be a loadable model."""
    conn = project.connect()
    try:
        known = {m.id: m for m in list_models(conn)}
        if model_id not in known:
            have = ", ".join(str(i) for i in known) or "none yet"
            raise ModelError(f"no model {model_id} in this project (models: {have})")
        path = project.model_dir(known[model_id].path)
        if not (path / "config.json").is_file():
            raise ModelError(f"model {model_id}: its directory {path} is gone or incomplete")
        model = activate(conn, model_id)
        assert model is not None
        return model
    finally:
        conn.close()


@dataclass
class SoupResult:
    model_id: int
    path: Path
    members: list[Path]
    context: int
    dev: dict[str, Any] | None  # None: a member was trained on dev, or there is no dev split
    promoted: bool
    distance: list[float]  # each member's distance to the soup, relative to its own norm


def soup(
    project: Project,
    members: list[str],
    log: Log,
    context: int | None = None,
    promote: str = "auto",
    device: str = "auto",
) -> SoupResult:
    """Average several models' weights into one new registered model (`workbench soup`):
    scored on dev unless a member trained on it, made active as a round's model would be.
    ``members``: model numbers of this project, or model directories."""
    from workbench.active.round import abandon, clean_incoming, promotes, register
    from workbench.active.round_lock import round_lock
    from workbench.model.soup import average_models, check_members
    from workbench.store.rounds import (
        active_model,
        mark_stale_rounds,
        registered_model_dirs,
        start_round,
    )

    if promote not in ("auto", "always"):
        raise WorkbenchError(f"--promote is auto or always, not {promote!r}")
    known = {m.id: m for m in list_project_models(project)}
    paths = [_member(project, known, given) for given in members]
    dirs, reads = check_members(paths, context)  # a mistake is one line, before a round exists
    refit_here = {
        project.model_dir(m.path).resolve() for m in known.values() if m.metrics.get("refit")
    }
    recorded_refit = any(p.resolve() in refit_here for p in paths)
    bases = {m.base_model for m in known.values() if project.model_dir(m.path) in paths}
    with round_lock(project.models_dir):
        conn = project.connect()
        try:
            mark_stale_rounds(conn)
            clean_incoming(project.models_dir, registered_model_dirs(conn))
            round_id = start_round(conn, "soup", None, {})
            incoming = project.models_dir / f".incoming-{round_id}"
            try:
                made = average_models(dirs, reads, incoming, trained_on_dev=recorded_refit)
                refit = made.refit
                trained = [read_trained_on(p) for p in paths]  # each member's, or unknown
                if all(t is not None for t in trained):
                    write_trained_on(incoming, set().union(*(t for t in trained if t)))
                log(
                    f"Averaged {len(paths)} models (the farthest lies {max(made.distance):.1%} "
                    f"of its weights' norm from the average); the soup reads {made.context} "
                    "sub-tokens of context a side."
                )
                dev = None
                if refit:
                    log("A member was trained on dev (`train --with-dev`): no dev score.")
                elif _has_gold(project, "dev"):
                    dev = evaluate(project, "dev", incoming, device=device).metrics
                promoted = promotes(promote, dev, active_model(conn), log)
                model_id, final = register(
                    project,
                    conn,
                    round_id,
                    incoming,
                    metrics={
                        **{k: None if dev is None else dev[k] for k in HEADLINE},
                        "dev": dev,
                        **({"refit": True} if refit else {}),
                        "soup": [str(p.resolve()) for p in paths],
                    },
                    timings={},
                    base_model=bases.pop() if len(bases) == 1 else "soup",
                    activate=promoted,
                )
            except BaseException as exc:
                abandon(conn, round_id, incoming, exc)
                raise
        finally:
            conn.close()
    return SoupResult(model_id, final, paths, made.context, dev, promoted, made.distance)


def _member(project: Project, known: dict[int, ModelRecord], given: str) -> Path:
    """A soup's member: a model number of this project, or a model directory."""
    if given.isdigit():
        if int(given) not in known:
            have = ", ".join(str(i) for i in known) or "none yet"
            raise ModelError(f"no model {given} in this project (models: {have})")
        return project.model_dir(known[int(given)].path)
    path = Path(given)
    if not (path / "config.json").is_file():
        raise ModelError(f"{given}: neither a model number of this project nor a model directory")
    return path


def _has_gold(project: Project, split: str) -> bool:
    from workbench.store.counts import count_by_split_status

    conn = project.connect()
    try:
        return count_by_split_status(conn).get((split, "accepted"), 0) > 0
    finally:
        conn.close()
