"""`tag --engine ray`: the same units as shards, tagged by a Ray Data actor pool.

The shape of Ray Data's batch-inference examples: the units become a dataset of one row
each, `map_batches` runs `ShardTagger` (a callable class that loads the model once per
actor: one GPU each with `num_gpus=1`, else CPU actors) with a batch of one unit, and every
actor writes its shard itself, through the same pipeline and shard writer as the local
engine, so the files are the same. The driver records each shard in the manifest as its row
comes back. Without an address a local Ray is started on this machine; `--ray-address auto`
(or `RAY_ADDRESS`) joins a running cluster, whose nodes must have workbench installed and
see the inputs and `--out` at the same paths (a shared filesystem).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.errors import FormatError, WorkbenchError
from workbench.ops.tag.inputs import Unit
from workbench.ops.tag.pipeline import PipelineOptions, Progress, UnitResult, run_units
from workbench.ops.tag.shards import ShardWriter, shard_name, summary

if TYPE_CHECKING:
    from workbench.ops.tag import TagRequest


class ShardTagger:
    """One per actor: the model is loaded once, then each call tags one unit into its shard."""

    def __init__(self, settings: dict[str, Any]):
        from workbench.model.predict import Tagger

        self.settings = settings
        self.tagger = Tagger(
            settings["model"],
            device=settings["device"],
            precision=settings["precision"],
            runtime=settings["runtime"],
            threads=settings["threads"],
        )
        self.pipeline = PipelineOptions(**settings["pipeline"])

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        out = []
        for raw in batch["unit"]:
            unit = Unit(**json.loads(str(raw)))
            writer = ShardWriter(Path(self.settings["out"]), self.settings["format"])
            try:
                (result,) = run_units([unit], self.tagger, self.pipeline, writer)
            except FormatError as exc:
                out.append(json.dumps({"index": unit.index, "error": str(exc)}))
                continue
            row = summary(unit, result, shard_name(unit.index, self.settings["format"]))
            out.append(
                json.dumps({"index": unit.index, "summary": row, "rejected": result.rejected})
            )
        return {"result": out}


def run_on_ray(
    units: Sequence[Unit],
    model: Path,
    req: TagRequest,
    out: Path,
    finished: Callable[[Unit, dict[str, object]], None],
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
) -> list[UnitResult]:
    try:
        import ray
        import ray.data
    except ImportError:
        raise WorkbenchError(
            "--engine ray needs Ray Data: pip install 'workbench[cluster]'"
        ) from None
    address = req.ray_address or os.environ.get("RAY_ADDRESS")
    started = not ray.is_initialized()
    if started:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        return _run(ray, units, model, req, out, finished, progress, log)
    finally:
        if started:
            ray.shutdown()


def _run(
    ray: Any,
    units: Sequence[Unit],
    model: Path,
    req: TagRequest,
    out: Path,
    finished: Callable[[Unit, dict[str, object]], None],
    progress: Progress | None,
    log: Callable[[str], None] | None,
) -> list[UnitResult]:
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    use_gpu = req.device == "cuda" or (req.device == "auto" and gpus > 0)
    if use_gpu and gpus == 0:
        raise WorkbenchError("--device cuda: the Ray cluster has no GPU")
    cpus = int(resources.get("CPU", 1))
    if use_gpu:
        actors = req.workers or gpus
        cpus_per_actor = max(1, cpus // max(1, actors) - 1)
    else:
        actors = req.workers or max(1, cpus)
        cpus_per_actor = max(1, cpus // actors)
    if log is not None:
        where = f"{actors} GPU actor(s)" if use_gpu else f"{actors} CPU actor(s)"
        log(f"Ray: {len(units)} shard(s) on {where}, {cpus_per_actor} CPU(s) each")
    settings = {
        "model": str(model.resolve()),
        "out": str(out.resolve()),
        "format": req.output_format,
        "device": "cuda" if use_gpu else "cpu",
        "precision": req.precision,
        "runtime": req.runtime,
        "threads": cpus_per_actor,
        "pipeline": asdict(
            PipelineOptions(req.doc_per_file, req.skip_bad, req.chunk_words, workers=0)
        ),
    }
    rows = []
    for u in units:
        d = u.as_dict()
        if d["path"] is not None:
            d["path"] = str(Path(d["path"]).resolve())
        rows.append({"unit": json.dumps(d)})
    from ray.data import DataContext

    DataContext.get_current().enable_progress_bars = False
    ds = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
        ShardTagger,
        fn_constructor_args=(settings,),
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_gpus=1 if use_gpu else 0,
        num_cpus=cpus_per_actor,
    )
    by_index = {u.index: u for u in units}
    results: list[UnitResult] = []
    try:
        for row in ds.iter_rows():
            _record(row, by_index, finished, results, progress)
    except ray.exceptions.RayError as exc:  # an actor died: one line, the manifest kept
        first = str(exc).strip().splitlines()
        raise WorkbenchError(f"the Ray job failed: {first[-1] if first else exc!r}") from None
    return results


def _record(
    row: dict[str, Any],
    by_index: dict[int, Unit],
    finished: Callable[[Unit, dict[str, object]], None],
    results: list[UnitResult],
    progress: Progress | None,
) -> None:
    done = json.loads(row["result"])
    if "error" in done:
        raise WorkbenchError(done["error"])
    unit = by_index[int(done["index"])]
    s = done["summary"]
    finished(unit, s)
    results.append(
        UnitResult(
            unit.index,
            int(s["documents"]),
            int(s["entities"]),
            int(s["words"]),
            list(done["rejected"]),
            float(s["seconds"]),
        )
    )
    if progress is not None:
        progress(int(s["documents"]), int(s["words"]), unit.size)
