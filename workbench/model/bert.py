"""A BERT token classifier in plain torch, read straight from a model directory's safetensors.

Why not transformers here: measured on the 2-core CPU, `workbench tag` of a one-line input
took 6.5 s, of which importing transformers' BERT (torch.distributed, masking utilities, the
package scan) was about 4 s and the forward pass a few milliseconds; importing torch alone is
1.6 s. This module computes exactly what `BertForTokenClassification` computes (absolute
positions, erf GELU, post-LayerNorm, scaled-dot-product attention over unpadded keys) and is
checked against it (tests/model/test_bert_lite.py: same logits, same entities). Other
architectures, and training, use transformers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

PREFIXES = ("bert.", "")  # BertForTokenClassification's names, or a bare encoder's


def supported(path: Path) -> bool:
    """A BERT-family token classifier this module reproduces exactly."""
    try:
        cfg = json.loads((path / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return (
        cfg.get("model_type") == "bert"
        and cfg.get("hidden_act", "gelu") == "gelu"
        and cfg.get("position_embedding_type", "absolute") == "absolute"
        and "BertForTokenClassification" in cfg.get("architectures", [])
        and (path / "model.safetensors").is_file()
    )


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, inner: int, eps: float):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_norm = nn.LayerNorm(hidden, eps=eps)
        self.inner = nn.Linear(hidden, inner)
        self.out = nn.Linear(inner, hidden)
        self.out_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape
        d = h // self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, self.heads, d).transpose(1, 2)

        ctx = F.scaled_dot_product_attention(
            split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=keep
        )
        x = self.attn_norm(x + self.attn_out(ctx.transpose(1, 2).reshape(b, n, h)))
        out: torch.Tensor = self.out_norm(x + self.out(F.gelu(self.inner(x))))
        return out


class BertTagger(nn.Module):
    def __init__(self, cfg: dict[str, Any]):
        super().__init__()
        hidden, eps = int(cfg["hidden_size"]), float(cfg.get("layer_norm_eps", 1e-12))
        self.config = cfg
        self.words = nn.Embedding(int(cfg["vocab_size"]), hidden)
        self.positions = nn.Embedding(int(cfg.get("max_position_embeddings", 512)), hidden)
        self.token_types = nn.Embedding(int(cfg.get("type_vocab_size", 2)), hidden)
        self.embed_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            _Layer(hidden, int(cfg["num_attention_heads"]), int(cfg["intermediate_size"]), eps)
            for _ in range(int(cfg["num_hidden_layers"]))
        )
        self.classifier = nn.Linear(hidden, len(cfg["id2label"]))

    def encode(
        self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Hidden states (batch, length, hidden); padded keys are never attended to."""
        n = ids.shape[1]
        pos = torch.arange(n, device=ids.device)
        kinds = self.token_types.weight[0] if types is None else self.token_types(types)
        x: torch.Tensor = self.words(ids) + self.positions(pos)[None] + kinds
        x = self.embed_norm(x)
        keep = mask[:, None, None, :].bool()
        for layer in self.layers:
            x = layer(x, keep)
        return x

    def forward(
        self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor | None = None
    ) -> torch.Tensor:
        logits: torch.Tensor = self.classifier(self.encode(ids, mask, types))
        return logits


_RENAMES = {
    "embeddings.word_embeddings": "words",
    "embeddings.position_embeddings": "positions",
    "embeddings.token_type_embeddings": "token_types",
    "embeddings.LayerNorm": "embed_norm",
    "attention.self.query": "query",
    "attention.self.key": "key",
    "attention.self.value": "value",
    "attention.output.dense": "attn_out",
    "attention.output.LayerNorm": "attn_norm",
    "intermediate.dense": "inner",
    "output.dense": "out",
    "output.LayerNorm": "out_norm",
    "encoder.layer": "layers",
}


def _rename(name: str) -> str | None:
    if name.startswith("classifier."):
        return name
    for prefix in PREFIXES:
        if prefix and name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if name.startswith("pooler.") or name.endswith("position_ids"):
        return None
    for old, new in _RENAMES.items():
        name = name.replace(old, new)
    return name


def load(path: Path) -> BertTagger:
    from safetensors.torch import load_file

    cfg = json.loads((path / "config.json").read_text("utf-8"))
    model = BertTagger(cfg)
    state = {}
    for name, tensor in load_file(str(path / "model.safetensors")).items():
        new = _rename(name)
        if new is not None:
            state[new] = tensor
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise ValueError(f"weights do not fit: missing {missing[:3]}, unexpected {unexpected[:3]}")
    return model.eval()


def head_dropout(cfg: dict[str, Any]) -> float:
    rate = cfg.get("classifier_dropout")
    if rate is None:
        rate = cfg.get("hidden_dropout_prob")
    return 0.1 if rate is None else float(rate)
