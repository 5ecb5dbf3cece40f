"""Word shapes: the case an uncased encoder throws away, given back as token type ids.

The bundled MiniLM lowercases everything, so `DA` (dopamine) and `da`, `NO` (nitric oxide)
and `no`, `Ca` and `ca` reach it as the same pieces. Each word's case pattern becomes the
token type of all its sub-tokens: BERT adds a learned token-type vector to every input
embedding, so the encoder sees the shape in context. Type 0, the pretrained one, stays for
special tokens and words without letters; the new rows start as copies of it, so a fresh
model computes exactly what its base computed. The model records the scheme in its
``config.json`` (`CONFIG_KEY`), and prediction builds the same ids from the text alone.
"""

from __future__ import annotations

from typing import Any

from workbench.errors import ModelError

CONFIG_KEY = "workbench_word_shapes"
NO_LETTERS, LOWER, TITLE, UPPER, MIXED = range(5)
N_SHAPES = 5


def word_shape(word: str) -> int:
    """lower (`aspirin`), title (`Aspirin`), upper (`DA`, `A`), mixed (`NaCl`, `mRNA`), or
    no letters (`5`, `-`); digits and symbols are ignored."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return NO_LETTERS
    upper = [c.isupper() for c in letters]
    if not any(upper):
        return LOWER
    if all(upper):
        return UPPER
    if upper[0] and not any(upper[1:]):
        return TITLE
    return MIXED


def uses_shapes(config: dict[str, Any]) -> bool:
    return bool(config.get(CONFIG_KEY))


def add_shape_embeddings(model: Any) -> None:
    """Give a transformers BERT-family model one token type per shape (copies of type 0),
    and record the scheme in its config. A model that already has them is left alone."""
    import torch

    if uses_shapes(model.config.to_dict()):
        return
    embeddings: Any = getattr(getattr(model, "base_model", None), "embeddings", None)
    old = getattr(embeddings, "token_type_embeddings", None)
    if not isinstance(old, torch.nn.Embedding):
        raise ModelError(
            f"{model.config.model_type}: the model has no token type embeddings to carry "
            "word shapes; train without --word-shapes"
        )
    new = torch.nn.Embedding(N_SHAPES, old.embedding_dim, dtype=old.weight.dtype)
    with torch.no_grad():
        new.weight.copy_(old.weight[0].expand(N_SHAPES, -1))
    new.to(old.weight.device)
    # (BERT's zero buffer of token type ids, for calls without them, stays valid: 0 is a type)
    embeddings.token_type_embeddings = new
    model.config.type_vocab_size = N_SHAPES
    setattr(model.config, CONFIG_KEY, N_SHAPES)
