"""A tiny randomly initialised BERT, built here: the model tests never touch the network."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest

from tests.conftest import BC5CDR
from workbench.project import Project, init_project

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _vocab() -> list[str]:
    from collections import Counter

    words: Counter[str] = Counter()
    for line in (BC5CDR / "train.tsv").read_text(encoding="utf-8").splitlines():
        if line:
            words[line.split("\t")[0].lower()] += 1
    chars = string.ascii_lowercase + string.digits
    # The most frequent words whole, so the tiny model can learn names it has seen.
    pieces = [w for w, _ in words.most_common(3000) if w.isalnum() and len(w) > 1][:1500]
    return (
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        + list(chars)
        + [f"##{c}" for c in chars]
        + list(string.punctuation)
        + pieces
    )


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    out = tmp_path_factory.mktemp("tiny-bert")
    (out / "vocab.txt").write_text("\n".join(_vocab()) + "\n", encoding="utf-8")
    # from_pretrained on the folder reads vocab.txt in every transformers version (the
    # constructor's vocab_file= argument is silently ignored by transformers 5).
    tok = BertTokenizerFast.from_pretrained(str(out), do_lower_case=True)
    tok.model_max_length = 128
    tok.save_pretrained(str(out))
    cfg = BertConfig(
        vocab_size=tok.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    torch.manual_seed(0)
    BertModel(cfg).save_pretrained(str(out))
    assert "[UNK]" not in tok.tokenize("Selegiline-induced hypotension.")
    return out


def _slice_conll(src: Path, dst: Path, sentences: int) -> Path:
    blocks = src.read_text(encoding="utf-8").split("\n\n")[:sentences]
    dst.write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")
    return dst


def make_tiny_project(root: Path, tiny_bert: Path) -> Project:
    """A project on the tiny BERT with 60 BC5CDR training sentences, 20 dev, 20 test."""
    from workbench.ops.importing import import_files

    proj = init_project(root / "proj", "Chemical,Disease", base_model=str(tiny_bert))
    import_files(proj, [_slice_conll(BC5CDR / "train.tsv", root / "t.tsv", 60)], split="train")
    import_files(proj, [_slice_conll(BC5CDR / "devel.tsv", root / "d.tsv", 20)], split="dev")
    import_files(proj, [_slice_conll(BC5CDR / "test.tsv", root / "e.tsv", 20)], split="test")
    return proj


@pytest.fixture
def tiny_project(tmp_path: Path, tiny_bert: Path) -> Project:
    return make_tiny_project(tmp_path, tiny_bert)


@pytest.fixture(scope="session")
def tiny_tagger(tiny_bert: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny BERT with a random token-classification head: a model directory `tag` can
    run in a second, whose (meaningless) entities are many, which is what tests compare."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    tags = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]
    out = tmp_path_factory.mktemp("tiny-tagger")
    torch.manual_seed(1)
    model = AutoModelForTokenClassification.from_pretrained(
        str(tiny_bert),
        num_labels=len(tags),
        id2label=dict(enumerate(tags)),
        label2id={t: i for i, t in enumerate(tags)},
    )
    model.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(str(tiny_bert)).save_pretrained(str(out))
    return out
