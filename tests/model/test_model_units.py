"""Windows, error breakdown and base-model resolution, without training."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import BC5CDR
from workbench.core import Document, Span, tokenize
from workbench.errors import ModelError
from workbench.model.base import BUNDLED, bundled_path, resolve_base_model
from workbench.model.evaluate import error_breakdown, score
from workbench.model.windows import make_windows


def test_windows_fit_the_budget_cover_every_word_and_overlap() -> None:
    pieces = [[10 + i] * (1 + i % 3) for i in range(50)]  # 1-3 sub-tokens per word
    windows = make_windows(pieces, 0, cls_id=1, sep_id=2, max_length=16, stride=4)
    assert all(len(w.input_ids) <= 16 for w in windows)
    assert all(w.input_ids[0] == 1 and w.input_ids[-1] == 2 for w in windows)
    seen = {word for w in windows for word in w.word_index if word >= 0}
    assert seen == set(range(50))
    assert all(b.first_word < a.last_word for a, b in pairwise(windows))


def test_windows_without_stride_do_not_overlap_and_survive_huge_words() -> None:
    pieces = [[5] * 40, [6], [7] * 3]
    windows = make_windows(pieces, 0, 1, 2, max_length=16, stride=0)
    assert [(w.first_word, w.last_word) for w in windows] == [(0, 1), (1, 3)]
    assert len(windows[0].input_ids) == 16


def _doc(text: str, spans: list[tuple[str, str]]) -> Document:
    out = []
    for mention, label in spans:
        a = text.index(mention)
        out.append(Span(a, a + len(mention), label))
    return Document(text, tokenize(text), out)


def test_error_breakdown_kinds() -> None:
    gold = _doc(
        "Aspirin caused acute renal failure and gout in rats .",
        [("Aspirin", "Chemical"), ("acute renal failure", "Disease"), ("gout", "Disease")],
    )
    t = gold.text
    pred = [
        Span(0, 7, "Disease"),  # type confusion
        Span(t.index("renal"), t.index("failure") + 7, "Disease"),  # boundary
        Span(t.index("rats"), t.index("rats") + 4, "Chemical"),  # spurious
    ]  # gout: missed
    e = error_breakdown([gold], [pred])
    assert dict(e.type_confusions) == {("Chemical", "Disease"): 1}
    assert (e.boundary, e.spurious, e.missed) == (1, 1, 1)
    assert "[rats]" in e.examples["spurious"][0]
    m = score([gold], [pred])
    assert m["precision"] == 0.0 and m["support"] == 3
    perfect = score([gold], [gold.spans])
    assert perfect["f1"] == 1.0 and perfect["accuracy"] == 1.0


def test_base_model_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    notes: list[str] = []
    assert resolve_base_model("bundled", notes.append) == (str(bundled_path()), BUNDLED)
    # the project's configured default falls back, saying so; a name the user typed does not
    path, label = resolve_base_model(
        "dmis-lab/biobert-base-cased-v1.1", notes.append, fallback=True
    )
    assert (path, label) == (str(bundled_path()), BUNDLED)
    assert len(notes) == 1 and "cannot be loaded here" in notes[0] and "bundled" in notes[0]
    with pytest.raises(ModelError, match="nothing was trained"):
        resolve_base_model("dmis-lab/biobert-base-cased-v1.1", notes.append)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"without config\.json"):
        resolve_base_model(str(tmp_path / "empty"), notes.append)


def test_a_model_without_bio_labels_is_refused(tiny_bert: Path, tmp_path: Path) -> None:
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from workbench.model.predict import Tagger

    model = AutoModelForTokenClassification.from_pretrained(
        str(tiny_bert),
        num_labels=2,
        id2label={0: "OUT", 1: "DISEASE"},
        label2id={"OUT": 0, "DISEASE": 1},
    )
    model.save_pretrained(str(tmp_path / "io"))
    AutoTokenizer.from_pretrained(str(tiny_bert)).save_pretrained(str(tmp_path / "io"))
    with pytest.raises(ModelError, match="not BIO tags"):
        Tagger(tmp_path / "io", device="cpu")


def test_a_word_without_sub_tokens_does_not_split_an_entity() -> None:
    import numpy as np

    from workbench.model.predict import bridge_unreached

    tags = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]
    # "5-fluoro <soft hyphen> uracil": the middle word was never reached (argmax O).
    best = np.array([1, 0, 2, 0])
    unreached = np.array([False, True, False, False])
    assert list(bridge_unreached(best, unreached, tags)) == [1, 2, 2, 0]
    # Between two different entities, or at the edge, it stays O.
    assert list(bridge_unreached(np.array([1, 0, 4]), np.array([False, True, False]), tags)) == [
        1,
        0,
        4,
    ]
    assert list(bridge_unreached(np.array([0, 2]), np.array([True, False]), tags)) == [0, 2]


def test_schedule_gives_small_sets_enough_steps_and_few_dev_passes() -> None:
    from workbench.model.train import TrainOptions, schedule

    # 100 sentences, batch 16: 7 steps an epoch; 300 steps need 43 epochs, 4 dev passes
    epochs, every = schedule(100, TrainOptions(epochs=4, min_steps=300, max_evals=4))
    assert epochs == 43 and every == 76
    # a large set keeps its epochs and evaluates every epoch
    assert schedule(5000, TrainOptions(epochs=4, min_steps=300, max_evals=4)) == (4, 0)
    assert schedule(100, TrainOptions(epochs=4)) == (4, 0)


def test_word_pieces_match_the_tokenizer_and_ignore_its_padding(tiny_bert: Path) -> None:
    """The Rust fast path gives the wrapper's ids, even when the tokenizer pads or truncates."""
    from transformers import AutoTokenizer

    from workbench.model.windows import MAX_PIECES_PER_WORD, word_pieces

    tok = AutoTokenizer.from_pretrained(str(tiny_bert))
    sentences = [["Naloxone", "reverses", "HYPOTENSION", "."], [], ["Na/K-ATPase", "x" * 400]]
    expected = [
        [list(p[:MAX_PIECES_PER_WORD]) for p in tok(words, add_special_tokens=False)["input_ids"]]
        if words
        else []
        for words in sentences
    ]
    assert word_pieces(tok, sentences) == expected
    padded = AutoTokenizer.from_pretrained(str(tiny_bert))
    padded.backend_tokenizer.enable_padding(length=16)
    padded.backend_tokenizer.enable_truncation(max_length=2)
    assert word_pieces(padded, sentences) == expected
    assert padded.backend_tokenizer.padding is not None  # the wrapper's own settings stay


def test_padding_batches_to_shape_steps_changes_no_prediction(tiny_tagger: Path) -> None:
    """Batches padded to widths and row counts in steps (torch) read exactly what exact
    shapes (ONNX) read: padding columns and rows are masked and never read back."""
    import numpy as np

    from tests.conftest import BC5CDR
    from workbench.formats import pubtator
    from workbench.model.predict import Tagger

    docs = pubtator.read(BC5CDR / "CDR_TestSet.PubTator.txt")[:12]
    tagger = Tagger(tiny_tagger, device="cpu", precision="fp32")
    assert tagger.runtime.shape_steps == (8, 4)
    stepped = tagger.tag(docs)
    shapes = {b.ids.shape for b in tagger.prepare(docs).batches}
    assert all(w % 8 == 0 or w == tagger.max_length for _, w in shapes)
    assert all(r % 4 == 0 for r, _ in shapes)
    tagger.runtime.shape_steps = (1, 1)
    exact = tagger.tag(docs)
    assert [[s.key() for s in d] for d in stepped] == [[s.key() for s in d] for d in exact]
    scores = [s.score for d in stepped for s in d], [s.score for d in exact for s in d]
    assert np.allclose(*scores, atol=1e-4)  # type: ignore[arg-type]


def test_steps_within_a_time_bound() -> None:
    from workbench.model.train import MIN_BOUNDED_STEPS, steps_within

    assert steps_within(100, 0.2, 250) == 250  # a CPU with bf16: the whole quick round
    assert steps_within(100, 0.83, 250) == 120  # without: a multiple of ten that fits
    assert steps_within(100, 0.84, 250) == 110
    assert steps_within(100, 5.0, 250) == MIN_BOUNDED_STEPS  # never too few to learn
    assert steps_within(100, 5.0, 60) == 60  # nor more than the run wanted


def test_the_step_probe_leaves_the_weights_as_they_were(tiny_bert: Path) -> None:
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from workbench.core import tag_names
    from workbench.formats import conll
    from workbench.model.train import build_examples, probe_step_seconds

    tags = tag_names(["Chemical", "Disease"])
    tok = AutoTokenizer.from_pretrained(str(tiny_bert))
    model = AutoModelForTokenClassification.from_pretrained(str(tiny_bert), num_labels=len(tags))
    docs = conll.read(BC5CDR / "devel.tsv")[:40]
    examples = build_examples(docs, tok, {t: i for i, t in enumerate(tags)}, 128)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert probe_step_seconds(model, tok, examples, 16, "cpu", False) > 0
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())
