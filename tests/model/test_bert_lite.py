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
