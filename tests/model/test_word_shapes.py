"""Word shapes: the case the uncased encoder loses reaches it as token types, the same way in
training and in every prediction path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.model.conftest import make_tiny_project
from workbench.cli import app
from workbench.core import Document
from workbench.core.tokenize import tokenize
from workbench.model.shapes import LOWER, MIXED, N_SHAPES, NO_LETTERS, TITLE, UPPER, word_shape
from workbench.model.windows import make_windows

FAST = ["--epochs", "2", "--batch-size", "8", "--learning-rate", "5e-3", "--device", "cpu"]


@pytest.mark.parametrize(
    ("word", "shape"),
    [
        ("aspirin", LOWER),
        ("Aspirin", TITLE),
        ("DA", UPPER),
        ("A", UPPER),
        ("NaCl", MIXED),
        ("mRNA", MIXED),
        ("Ca2+", TITLE),
        ("5-HT", UPPER),
        ("1,2", NO_LETTERS),
        ("-", NO_LETTERS),
    ],
)
def test_a_words_shape_is_its_case_pattern(word: str, shape: int) -> None:
    assert word_shape(word) == shape


@given(st.text(max_size=12))
@example("\U0001d5a0")  # MATHEMATICAL SANS-SERIF CAPITAL A: no small form
def test_every_word_has_a_shape_that_ignores_what_is_not_a_letter(word: str) -> None:
    shape = word_shape(word)
    assert 0 <= shape < N_SHAPES
    assert word_shape(word + "0-9+") == shape
    low = word.lower()  # some capitals have no small form: those stay upper
    if any(c.isalpha() for c in low) and not any(c.isupper() for c in low):
        assert word_shape(low) == LOWER


def test_windows_give_all_of_a_words_pieces_its_shape() -> None:
    pieces = [[10], [11, 12, 13], [14, 15], [16]]
    shapes = [LOWER, MIXED, UPPER, NO_LETTERS]
    (window,) = make_windows(pieces, 0, cls_id=1, sep_id=2, max_length=16, stride=0, shapes=shapes)
    assert window.input_ids == [1, 10, 11, 12, 13, 14, 15, 16, 2]
    assert window.type_ids == [0, LOWER, MIXED, MIXED, MIXED, UPPER, UPPER, NO_LETTERS, 0]
    (plain,) = make_windows(pieces, 0, cls_id=1, sep_id=2, max_length=16, stride=0)
    assert plain.type_ids is None and plain.input_ids == window.input_ids


def _doc(text: str) -> Document:
    return Document(text, tokenize(text))


@pytest.fixture(scope="module")
def shaped(tiny_bert: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_tiny_project(tmp_path_factory.mktemp("shaped"), tiny_bert)
    res = CliRunner().invoke(app, ["--project", str(project.root), "train", *FAST, "--word-shapes"])
    assert res.exit_code == 0, res.output
    model = sorted((project.root / "models").iterdir())[-1]
    return model


def test_a_model_trained_with_shapes_records_them(shaped: Path) -> None:
    config = json.loads((shaped / "config.json").read_text())
    assert config["workbench_word_shapes"] == N_SHAPES
    assert config["type_vocab_size"] == N_SHAPES


def test_the_tagger_tells_upper_from_lower_case_only_with_shapes(
    shaped: Path, tiny_tagger: Path
) -> None:
    """`DA` and `da` are the same pieces to an uncased tokenizer: only the shape separates them."""
    from workbench.model.predict import Tagger

    upper, lower = (
        _doc("Rats given DA and NO showed ataxia ."),
        _doc("Rats given da and no showed ataxia ."),
    )
    for path, differs in ((shaped, True), (tiny_tagger, False)):
        tagger = Tagger(path, device="cpu", precision="fp32")
        a, b = (p.probs for p in tagger.predict([upper, lower]))
        assert (abs(a - b).max() > 1e-4) == differs, path


def test_the_tagger_computes_what_transformers_computes_with_the_shapes(shaped: Path) -> None:
    """Type ids built independently (the HF tokenizer's word_ids) give the tagger's
    probabilities: prediction feeds the model what training fed it."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from workbench.model.predict import Tagger

    doc = _doc("Famotidine-associated delirium in NaCl and DA treated Rats .")
    words = doc.token_texts()
    tok = AutoTokenizer.from_pretrained(str(shaped))
    enc = tok(words, is_split_into_words=True, return_tensors="pt")
    enc.pop("token_type_ids", None)
    word_ids = enc.word_ids()
    types = [0 if w is None else word_shape(words[w]) for w in word_ids]
    model = AutoModelForTokenClassification.from_pretrained(str(shaped)).eval()
    with torch.inference_mode():
        logits = model(**enc, token_type_ids=torch.tensor([types])).logits[0]
    first = [word_ids.index(w) for w in range(len(words))]
    expected = torch.softmax(logits[first], dim=-1).numpy()
    (got,) = Tagger(shaped, device="cpu", precision="fp32").predict([doc])
    assert abs(got.probs - expected).max() < 1e-4
