"""model/bert.py computes what transformers' BertForTokenClassification computes."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import BC5CDR
from workbench.formats import conll


def test_same_logits_as_transformers(tiny_tagger: Path) -> None:
    import torch
    from transformers import AutoModelForTokenClassification

    from workbench.model import bert

    assert bert.supported(tiny_tagger)
    ours = bert.load(tiny_tagger)
    theirs = AutoModelForTokenClassification.from_pretrained(str(tiny_tagger)).eval()
    torch.manual_seed(0)
    ids = torch.randint(5, 500, (3, 17))
    mask = torch.ones_like(ids)
    mask[1, 11:] = 0  # a padded row
    mask[2, 5:] = 0
    with torch.inference_mode():
        a = ours(ids, mask)
        b = theirs(input_ids=ids, attention_mask=mask).logits
    keep = mask.bool()
    assert torch.allclose(a[keep], b[keep], atol=1e-5), (a[keep] - b[keep]).abs().max()


def test_same_entities_as_the_transformers_runtime(tiny_tagger: Path) -> None:
    """In fp32 (in bf16 the random head's near-ties flip either way; the trained model's
    F1 through both is in BENCHMARKS.md)."""
    precision = "fp32"
    from workbench.model.predict import Tagger
    from workbench.model.runtime import TorchRuntime

    docs = conll.read(BC5CDR / "test.tsv")[:300]
    lite = Tagger(tiny_tagger, device="cpu", precision=precision)
    assert isinstance(lite.runtime, TorchRuntime) and lite.runtime.lite
    full = Tagger(tiny_tagger, device="cpu", precision=precision)
    full.runtime = TorchRuntime.__new__(TorchRuntime)  # the same, through transformers
    import torch
    from transformers import AutoModelForTokenClassification

    full.runtime.lite = False
    full.runtime.device = "cpu"
    full.runtime.precision = lite.precision
    full.runtime.model = (
        AutoModelForTokenClassification.from_pretrained(str(tiny_tagger))
        .to(dtype=torch.bfloat16 if precision == "bf16" else torch.float32)
        .eval()
    )
    a, b = lite.tag(docs), full.tag(docs)
    same = sum(x == y for x, y in zip(a, b, strict=True))
    assert same / len(docs) > 0.999, same


def test_another_architecture_runs_through_transformers(tiny_bert: Path, tmp_path: Path) -> None:
    """A DistilBERT tagger, an architecture bert.py does not reproduce, tags through the
    transformers runtime (no test ran a non-BERT model before)."""
    import torch
    from transformers import (
        AutoTokenizer,
        DistilBertConfig,
        DistilBertForTokenClassification,
    )

    from workbench.model.predict import Tagger

    tags = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]
    tok = AutoTokenizer.from_pretrained(str(tiny_bert))
    cfg = DistilBertConfig(
        vocab_size=tok.vocab_size,
        dim=32,
        n_layers=2,
        n_heads=2,
        hidden_dim=64,
        max_position_embeddings=128,
        id2label=dict(enumerate(tags)),
        label2id={t: i for i, t in enumerate(tags)},
    )
    torch.manual_seed(2)
    DistilBertForTokenClassification(cfg).save_pretrained(str(tmp_path))
    tok.save_pretrained(str(tmp_path))
    tagger = Tagger(tmp_path, device="cpu", precision="fp32")
    assert not tagger.runtime.lite  # type: ignore[attr-defined]
    docs = conll.read(BC5CDR / "test.tsv")[:50]
    predictions = tagger.predict(docs)
    assert len(predictions) == 50 and sum(len(p.spans) for p in predictions) > 0
