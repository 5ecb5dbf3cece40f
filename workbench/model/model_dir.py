"""A token-classification model directory read without torch or transformers: its BIO tags
(``config.json``), its window length, and its fast tokenizer (``tokenizer.json``) with the
special tokens. The ONNX runtime starts from this alone; the torch runtime adds the weights.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.core import BioError, parse_tag
from workbench.errors import ModelError


@dataclass(frozen=True)
class ModelDir:
    path: Path
    tags: list[str]  # config.id2label in id order
    max_positions: int
    model_type: str
    config: dict[str, Any]

    @property
    def labels(self) -> list[str]:
        return sorted({t[2:] for t in self.tags if t != "O"})

    @property
    def o_index(self) -> int:
        return self.tags.index("O")


def read_model_dir(path: Path) -> ModelDir:
    if not (path / "config.json").is_file():
        raise ModelError(f"{path}: not a model directory (no config.json)")
    try:
        config = json.loads((path / "config.json").read_text("utf-8"))
        id2label = {int(k): str(v) for k, v in config["id2label"].items()}
        tags = [id2label[i] for i in range(len(id2label))]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: config.json has no readable id2label ({exc})") from None
    try:
        for t in tags:
            parse_tag(t)
    except BioError:
        raise ModelError(
            f"{path}: its labels are not BIO tags ({', '.join(tags[:6])}...); "
            "workbench reads O, B-<label>, I-<label>"
        ) from None
    if "O" not in tags:
        raise ModelError(f"{path}: its labels have no 'O' tag")
    return ModelDir(
        path=path,
        tags=tags,
        max_positions=int(config.get("max_position_embeddings", 512)),
        model_type=str(config.get("model_type", "")),
        config=config,
    )


@dataclass(frozen=True)
class WordTokenizer:
    """The Rust tokenizer without padding or truncation, and the ids windows are built of."""

    backend: Any  # tokenizers.Tokenizer
    cls_id: int
    sep_id: int
    pad_id: int
    model_max_length: int | None


def load_tokenizer(path: Path) -> WordTokenizer:
    """From ``tokenizer.json`` when the directory has one (every model workbench saves);
    else through transformers, which converts a slow tokenizer (an original BioBERT's
    ``vocab.txt``) to a fast one."""
    from tokenizers import Tokenizer

    settings = _json(path / "tokenizer_config.json")
    if (path / "tokenizer.json").is_file():
        try:
            backend = Tokenizer.from_file(str(path / "tokenizer.json"))
        except Exception as exc:  # the Rust library raises its own exception type
            raise ModelError(f"{path}: tokenizer.json cannot be read ({exc})") from None
    else:
        from transformers import AutoTokenizer

        try:
            fast = AutoTokenizer.from_pretrained(str(path), use_fast=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: cannot load the tokenizer ({exc})") from None
        backend = Tokenizer.from_str(fast.backend_tokenizer.to_str())
    backend.no_padding()
    backend.no_truncation()
    special = {**_json(path / "special_tokens_map.json"), **settings}

    def token_id(name: str, *fallbacks: str) -> int:
        for candidate in (_token(special.get(name)), *fallbacks):
            if candidate is not None and (i := backend.token_to_id(candidate)) is not None:
                return int(i)
        raise ModelError(f"{path}: the tokenizer has no {name} ({', '.join(fallbacks)})")

    limit = settings.get("model_max_length")
    return WordTokenizer(
        backend=backend,
        cls_id=token_id("cls_token", "[CLS]", "<s>"),
        sep_id=token_id("sep_token", "[SEP]", "</s>"),
        pad_id=token_id("pad_token", "[PAD]", "<pad>"),
        model_max_length=int(limit) if isinstance(limit, int | float) and limit < 1e9 else None,
    )


def _token(value: Any) -> str | None:
    if isinstance(value, dict):  # {"content": "[CLS]", ...} in older special_tokens_map files
        value = value.get("content")
    return value if isinstance(value, str) else None


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
