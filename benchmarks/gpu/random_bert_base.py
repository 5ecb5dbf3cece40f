"""A BERT-base-shaped copy of a trained token-classification model, with random weights.

BioBERT's shape (12 layers, 768 wide, 12 heads, 3,072 in the feed-forward) for speed runs
where BioBERT itself cannot be fetched: the same tags and tokenizer as MODEL_DIR, so
`workbench tag` and the HF pipeline both load it. Its entities are noise; only time counts.

    python benchmarks/gpu/random_bert_base.py MODEL_DIR OUT_DIR
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def main() -> None:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    from transformers import AutoConfig, AutoModelForTokenClassification

    cfg = AutoConfig.from_pretrained(str(src))
    cfg.hidden_size, cfg.num_hidden_layers = 768, 12
    cfg.num_attention_heads, cfg.intermediate_size = 12, 3072
    AutoModelForTokenClassification.from_config(cfg).save_pretrained(str(out))
    for f in src.iterdir():  # the tokenizer's files, and anything else but the weights
        if f.is_file() and not (out / f.name).exists():
            shutil.copy2(f, out / f.name)
    print(f"{out}: BERT-base shape, random weights, the tags and tokenizer of {src}")


if __name__ == "__main__":
    main()
