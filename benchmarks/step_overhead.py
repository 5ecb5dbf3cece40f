"""Where a training step's time goes: the product's path (`fit`, the HF Trainer) against a
plain torch loop on the same examples, batches and optimiser, phase by phase.

Issue 14 measured 20 steps/s at batch 16 on an H100 for a model whose compute there takes a
few milliseconds: a step bound by what the host does per step. On a machine without a GPU
the host's share is measured by making the compute vanish: ``--width skeleton`` keeps the
bundled encoder's vocabulary, depth and heads (so as many parameter tensors, modules and
kernels per step) with one head of 4 dimensions, so what is left of a step is overhead.
``--width real`` gives the CPU's own breakdown; ``--device cuda`` the GPU's.

    python benchmarks/step_overhead.py [--width skeleton|real] [--steps 120] [--device cpu]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

from workbench.formats import conll
from workbench.model.base import bundled_path
from workbench.model.runtime import native_bf16
from workbench.model.train import TrainOptions, build_examples, fit

LABELS = ["Chemical", "Disease"]
WARM = 20  # steps left out of every rate: allocator and thread-pool warm-up


def skeleton(out: Path) -> Path:
    """The bundled encoder's shape with (almost) no width: the same modules, fewer flops."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    base = bundled_path()
    cfg = BertConfig.from_pretrained(str(base))
    # one head: attention's score matrices (heads x length^2 per sentence) are compute too
    cfg.num_attention_heads, cfg.hidden_size, cfg.intermediate_size = 1, 4, 8
    BertModel(cfg).save_pretrained(str(out))
    AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(out))
    return out


class Clock:
    """Seconds per phase, summed over the measured steps (after ``WARM``)."""

    def __init__(self, sync: Callable[[], None]):
        self.sync = sync
        self.total: dict[str, float] = {}
        self.counting = False

    def phase(self, name: str) -> Any:
        clock = self

        class _Phase:
            def __enter__(self) -> None:
                clock.sync()
                self.t = time.perf_counter()

            def __exit__(self, *exc: object) -> None:
                clock.sync()
                if clock.counting:
                    clock.total[name] = clock.total.get(name, 0.0) + time.perf_counter() - self.t

        return _Phase()


def trainer_rate(base: Path, docs: list[Any], steps: int, device: str, mixed: bool) -> float:
    """Steps per second of `fit` itself (the HF Trainer as the product configures it)."""
    stamps: list[float] = []

    class Progress:
        def step(self, step: int, total: int, loss: float | None) -> None:
            stamps.append(time.perf_counter())

        def evaluated(self, epoch: float, epochs: int, metrics: dict[str, float]) -> None:
            pass

    opts = TrainOptions(
        epochs=1, max_steps=steps, device=device, precision="bf16" if mixed else "fp32"
    )
    with tempfile.TemporaryDirectory() as tmp:
        fit(docs, [], [], LABELS, (str(base), "probe"), opts, Path(tmp) / "m", lambda _: None,
            Progress())  # fmt: skip
    return (len(stamps) - 1 - WARM) / (stamps[-1] - stamps[WARM])


def plain_loop(
    base: Path, docs: list[Any], steps: int, device: str, mixed: bool
) -> tuple[float, dict[str, float]]:
    """The same examples, collator, AdamW, a linear schedule and clipping, without the Trainer:
    the steps per second and each phase's share."""
    import torch
    from transformers import (
        AutoModelForTokenClassification,
        AutoTokenizer,
        DataCollatorForTokenClassification,
    )
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from workbench.core import tag_names

    tags = tag_names(LABELS)
    label2id = {t: i for i, t in enumerate(tags)}
    tok = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForTokenClassification.from_pretrained(str(base), num_labels=len(tags))
    model.to(device).train()
    examples = build_examples(docs, tok, label2id, 256)
    collate = DataCollatorForTokenClassification(tok)
    decay = [p for n, p in model.named_parameters() if "bias" not in n and "LayerNorm" not in n]
    rest = [p for n, p in model.named_parameters() if "bias" in n or "LayerNorm" in n]
    optim = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
        lr=1e-4,
        fused=True,  # the Trainer's default optimiser on torch >= 2.8 (adamw_torch_fused)
    )
    sched = torch.optim.lr_scheduler.LinearLR(optim, 1.0, 0.0, total_iters=steps)

    def sync() -> None:
        if device == "cuda":
            torch.cuda.synchronize()

    def batches() -> Iterator[list[dict[str, Any]]]:
        """As the Trainer's `group_by_length` draws them: similar lengths together."""
        lengths = [len(e["input_ids"]) for e in examples]
        while True:
            order = list(LengthGroupedSampler(16, lengths=lengths))
            for i in range(0, len(order) - 16, 16):
                yield [examples[j] for j in order[i : i + 16]]

    def run(clock: Clock) -> float:
        """Steps per second; a GPU's phases are timed on a second pass (each phase then
        waits for the device, which the rate must not)."""
        t0 = 0.0
        for n, rows in zip(range(steps), batches(), strict=False):
            if n == WARM:
                sync()
                clock.counting, t0 = True, time.perf_counter()
            with clock.phase("collate"):
                batch = {k: v.to(device) for k, v in collate(rows).items()}
            autocast = torch.autocast(device, torch.bfloat16) if mixed else nullcontext()
            with clock.phase("forward"), autocast:
                loss = model(**batch).loss
            with clock.phase("backward"):
                loss.backward()
            with clock.phase("clip"):
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            with clock.phase("optimiser"):
                optim.step()
                sched.step()
                optim.zero_grad()
        sync()
        return (steps - WARM) / (time.perf_counter() - t0)

    if device == "cuda":
        rate = run(Clock(_no_sync))
        clock = Clock(sync)
        run(clock)
        return rate, clock.total
    clock = Clock(_no_sync)
    return run(clock), clock.total


def _no_sync() -> None:
    pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--width", choices=["skeleton", "real"], default="skeleton")
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    docs = list(conll.read(BC5CDR / "train.tsv"))[: 16 * a.steps]
    mixed = native_bf16(a.device)
    with tempfile.TemporaryDirectory() as tmp:
        base = skeleton(Path(tmp)) if a.width == "skeleton" else bundled_path()
        trainer = trainer_rate(base, docs, a.steps, a.device, mixed)
        plain, phases = plain_loop(base, docs, a.steps, a.device, mixed)
    measured = a.steps - WARM
    print(header(f"A training step's time: the Trainer against a plain loop ({a.width} width)"))
    print(
        f"Bundled MiniLM-L6's shape ({a.width} width), BC5CDR train sentences, batch 16, "
        f"{'bf16 mixed' if mixed else 'fp32'} on {a.device}; {a.steps} steps, the first "
        f"{WARM} left out.\n"
    )
    print("| path | steps/s | ms per step |\n|---|---|---|")
    print(f"| `fit` (HF Trainer, as `train` runs it) | {trainer:.1f} | {1000 / trainer:.1f} |")
    print(f"| plain torch loop, same work | {plain:.1f} | {1000 / plain:.1f} |")
    print("\nThe plain loop's phases, ms per step:\n")
    print("| " + " | ".join(phases) + " |\n" + "|---" * len(phases) + "|")
    print("| " + " | ".join(f"{1000 * s / measured:.1f}" for s in phases.values()) + " |")


if __name__ == "__main__":
    main()
