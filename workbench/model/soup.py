"""A model soup: the weights of several fine-tuned models averaged into one model.

Models fine-tuned from one pretrained encoder stay close in weight space, and their uniform
average (Wortsman et al., 2022, "Model soups") tags at one model's speed while keeping much of
what their ensemble gains: on BC5CDR dev, four bundled-encoder models averaged score 0.8558
against 0.8523 for the best of them; refitted, 0.8632 on test (BENCHMARKS.md, "One model from
several").
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.errors import ModelError
from workbench.model.model_dir import ModelDir, read_model_dir
from workbench.model.shapes import CONFIG_KEY as SHAPES_KEY
from workbench.model.windows import CONTEXT_KEY, MAX_CONTEXT

if TYPE_CHECKING:
    import torch

WEIGHTS = "model.safetensors"
TOKENIZER_FILES = ("tokenizer", "special_tokens_map", "added_tokens", "vocab", "merges")
SOUP_KEY = "workbench_soup"  # config.json: the members' directories (absolute)
REFIT_KEY = "workbench_refit"  # config.json: dev was part of training (`train --with-dev`)

# What makes two models' weights averageable beyond their tensors' names and shapes.
_SAME = (
    "model_type",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "vocab_size",
    "max_position_embeddings",
    "type_vocab_size",
    "id2label",
    SHAPES_KEY,
)


@dataclass(frozen=True)
class Soup:
    path: Path
    members: list[Path]
    context: int
    refit: bool  # a member was trained on dev: the soup's dev score is no measure
    distance: list[float]  # each member's distance to the average, relative to its norm


def is_refit(path: Path) -> bool:
    """Whether the model directory records that dev was part of its training."""
    return bool(read_model_dir(path).config.get(REFIT_KEY))


def mark_refit(path: Path) -> None:
    """Record in the model's own config that dev trained it, so that whoever reads the
    directory (another project, a soup) knows its dev score is no measure."""
    config_path = path / "config.json"
    config = json.loads(config_path.read_text("utf-8"))
    config[REFIT_KEY] = True
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def check_members(
    members: Sequence[Path], context: int | None = None
) -> tuple[list[ModelDir], int]:
    """The members' directories and the context the soup reads, once they are known to be
    averageable: raises ModelError, naming the member, before anything is written."""
    if len(members) < 2:
        raise ModelError("a soup needs at least two models")
    if len({p.resolve() for p in members}) < len(members):
        raise ModelError("the same model is named twice: each member counts once")
    dirs = [read_model_dir(p) for p in members]
    first = dirs[0]
    for d in dirs[1:]:
        for key in _SAME:
            if d.config.get(key) != first.config.get(key):
                raise ModelError(
                    f"{d.path} and {first.path} differ in {key} "
                    f"({d.config.get(key)!r} against {first.config.get(key)!r}): only models "
                    "fine-tuned from the same base with the same tags can be averaged"
                )
    tokenizer = _tokenizer_bytes(first.path)
    for d in dirs:
        if _tokenizer_bytes(d.path) != tokenizer:
            raise ModelError(f"{d.path} and {first.path} have different tokenizers")
        if not (d.path / WEIGHTS).is_file():
            raise ModelError(f"{d.path}: no {WEIGHTS} (a soup reads safetensors weights)")
    contexts = sorted({int(d.config.get(CONTEXT_KEY) or 0) for d in dirs})
    if context is not None and not 0 <= context <= MAX_CONTEXT:
        raise ModelError(f"--context {context}: give 0 to {MAX_CONTEXT} sub-tokens")
    if context is None:
        if len(contexts) > 1:
            shown = " and ".join(str(c) for c in contexts)
            raise ModelError(
                f"the models read {shown} sub-tokens of context a side: say which the soup "
                "reads with --context N (0 tags fastest)"
            )
        context = contexts[0]
    return dirs, context


def average_models(
    dirs: Sequence[ModelDir], context: int, out: Path, trained_on_dev: bool = False
) -> Soup:
    """Write the uniform average of ``dirs`` (as `check_members` returns them) to ``out``, a
    new model directory reading ``context``; ``trained_on_dev``: a member is known (from a
    project's records) to be a refit though its config does not say so."""
    from safetensors.torch import save_file

    first = dirs[0]
    members = [d.path for d in dirs]
    total: dict[str, torch.Tensor] = {}
    dtypes: dict[str, torch.dtype] = {}
    for d in dirs:  # one member in memory at a time, beside the running sum
        for name, t in _weights(d.path, first.path, total).items():
            dtypes.setdefault(name, t.dtype)
            total[name] = total[name] + t.float() if name in total else t.float()
    average = {k: v / len(dirs) for k, v in total.items()}
    distance = [_relative_distance(_weights(d.path, first.path, average), average) for d in dirs]

    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        for f in first.path.iterdir():  # the tokenizer's files: no other member's weights
            if f.is_file() and f.name.startswith(TOKENIZER_FILES):
                shutil.copy2(f, partial / f.name)
        save_file(
            {k: v.to(dtypes[k]).contiguous() for k, v in average.items()},
            str(partial / WEIGHTS),
            metadata={"format": "pt"},
        )
        config = dict(first.config)
        config[CONTEXT_KEY] = context
        config[SOUP_KEY] = [str(p.resolve()) for p in members]
        refit = trained_on_dev or any(d.config.get(REFIT_KEY) for d in dirs)
        config.pop(REFIT_KEY, None)
        if refit:
            config[REFIT_KEY] = True
        (partial / "config.json").write_text(
            json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        shutil.rmtree(out, ignore_errors=True)
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Soup(out, members, context, refit, distance)


def _tokenizer_bytes(path: Path) -> bytes:
    for name in ("tokenizer.json", "vocab.txt"):
        if (path / name).is_file():
            return (path / name).read_bytes()
    raise ModelError(f"{path}: no tokenizer.json or vocab.txt")


def _weights(path: Path, first: Path, like: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A member's tensors, checked against the layers met so far (``like``)."""
    from safetensors import safe_open

    weights = path / WEIGHTS
    try:
        with safe_open(str(weights), framework="pt") as fh:
            tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118
    except Exception as exc:  # safetensors raises its own error types
        raise ModelError(f"{weights}: unreadable weights ({exc})") from None
    if like and set(tensors) != set(like):
        raise ModelError(f"{path} and {first} have different layers")
    for name, t in tensors.items():
        if like and t.shape != like[name].shape:
            raise ModelError(
                f"{path}: {name} is {tuple(t.shape)}, {tuple(like[name].shape)} in {first}"
            )
    return tensors


def _relative_distance(weights: dict[str, torch.Tensor], average: dict[str, torch.Tensor]) -> float:
    diff = sum(float((w.float() - average[k]).pow(2).sum()) for k, w in weights.items())
    norm = sum(float(w.float().pow(2).sum()) for w in weights.values())
    return math.sqrt(diff / max(norm, 1e-30))
