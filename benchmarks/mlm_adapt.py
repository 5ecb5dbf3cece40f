"""Experiment: continued masked-LM pretraining of the bundled encoder on in-domain text.

Uses only the text of BC5CDR train and devel (never test) and writes a model
directory that `workbench train --base-model DIR` accepts.

    python benchmarks/mlm_adapt.py OUT_DIR [EPOCHS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header


def sentences(path: Path) -> list[str]:
    out = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        words = [line.split("\t")[0] for line in block.splitlines() if line.strip()]
        if words:
            out.append(" ".join(words))
    return out


def main() -> None:
    from transformers import (
        AutoModelForMaskedLM,
        AutoTokenizer,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    from workbench.model.base import bundled_path

    out, epochs = Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    set_seed(13)
    base = str(bundled_path())
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModelForMaskedLM.from_pretrained(base)
    text = sentences(BC5CDR / "train.tsv") + sentences(BC5CDR / "devel.tsv")
    enc = tok(text, truncation=True, max_length=128)
    rows = [{"input_ids": ids} for ids in enc["input_ids"]]
    args = TrainingArguments(
        output_dir=str(out / "work"),
        num_train_epochs=epochs,
        per_device_train_batch_size=32,
        learning_rate=1e-4,
        warmup_steps=0.06,
        weight_decay=0.01,
        save_strategy="no",
        logging_strategy="epoch",
        report_to=[],
        use_cpu=True,
        seed=13,
        train_sampling_strategy="group_by_length",
    )
    t0 = time.perf_counter()
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=rows,  # type: ignore[arg-type]
        data_collator=DataCollatorForLanguageModeling(tok, mlm_probability=0.15),
    )
    trainer.train()
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    print(header("Continued masked-LM pretraining of the bundled encoder"))
    print(
        f"- {len(rows):,} sentences (BC5CDR train + devel text), {epochs} epochs, "
        f"{(time.perf_counter() - t0) / 60:.1f} min; saved to `{out}`"
    )


if __name__ == "__main__":
    main()
