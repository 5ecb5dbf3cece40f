"""Throughput: `workbench tag` against the Hugging Face pipeline on the same model.

The 500 CDR test abstracts (title + abstract), words counted by white space.
Each contender runs in a fresh process: load the model, warm up on 5 texts,
then time tagging all 500; the process's peak RSS is reported too. The
pipeline is called as a user calls it: aggregation_strategy="first", default
batch size, then batch_size=32. `workbench tag` is also timed end to end as a
command (startup, model load, output).

    python benchmarks/tag_throughput.py MODEL_DIR [REPEATS]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

RUNNER = r"""
import json, resource, sys, time, os
os.environ["TOKENIZERS_PARALLELISM"] = "false"
kind, model, src = sys.argv[1], sys.argv[2], sys.argv[3]
texts = [t for t in open(src, encoding="utf-8").read().split("\n") if t]
if kind.startswith("workbench"):
    from workbench.core import Document, tokenize
    from workbench.model.predict import Tagger
    tagger = Tagger(model, device="cpu", precision="fp32" if kind.endswith("fp32") else "auto")
    def run(batch):
        return tagger.predict([Document(t, tokenize(t)) for t in batch])
else:
    from transformers import pipeline
    from transformers.utils import logging
    logging.set_verbosity_error()
    nlp = pipeline("token-classification", model=model, aggregation_strategy="first",
                   device=-1)
    bs = None if kind == "pipeline" else int(kind.split("-")[1])
    def run(batch):
        return nlp(batch) if bs is None else nlp(batch, batch_size=bs)
run(texts[:5])
t0 = time.perf_counter()
out = run(texts)
elapsed = time.perf_counter() - t0
n_ent = sum(len(p.spans) if hasattr(p, "spans") else len(p) for p in out)
print(json.dumps({"seconds": elapsed, "entities": n_ent,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(kind: str, model: str, src: Path) -> dict[str, float]:
    res = subprocess.run(
        [sys.executable, "-c", RUNNER, kind, model, str(src)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    model = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    blocks = (BC5CDR / "CDR_TestSet.PubTator.txt").read_text(encoding="utf-8").split("\n\n")
    texts = []
    for b in blocks:
        lines = b.strip().split("\n")
        texts.append(lines[0].split("|t|", 1)[1] + " " + lines[1].split("|a|", 1)[1])
    words = sum(len(t.split()) for t in texts)
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "abstracts.txt"
        src.write_text("\n".join(texts) + "\n", encoding="utf-8")
        cli: list[float] = []
        for _ in range(repeats):  # interleaved, so that noise hits every contender alike
            for kind in ("workbench", "workbench-fp32", "pipeline", "pipeline-32"):
                results.setdefault(kind, []).append(run(kind, model, src))
            t0 = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "workbench",
                    "tag",
                    str(src),
                    "--model",
                    model,
                    "-f",
                    "jsonl",
                    "--device",
                    "cpu",
                ],
                check=True,
                capture_output=True,
            )
            cli.append(time.perf_counter() - t0)
    print(header("Tagging throughput: 500 CDR test abstracts"))
    print(f"- model: `{model}`; {len(texts)} texts, {words:,} words; median of {repeats} runs\n")
    print("| contender | seconds | words/s | peak RSS MB | entities | vs pipeline default |")
    print("|---|---|---|---|---|---|")
    base = statistics.median(r["seconds"] for r in results["pipeline"])
    names = {
        "workbench": "workbench `Tagger.predict` (what `tag` runs; auto = bf16 here)",
        "workbench-fp32": "workbench `Tagger.predict`, --precision fp32",
        "pipeline": "HF pipeline, default batch size",
        "pipeline-32": "HF pipeline, batch_size=32",
    }
    for kind, rows in results.items():
        sec = statistics.median(r["seconds"] for r in rows)
        print(
            f"| {names[kind]} | {sec:.1f} | {words / sec:,.0f} | "
            f"{max(r['peak_rss_mb'] for r in rows):.0f} | {int(rows[0]['entities'])} | "
            f"{base / sec:.2f}x |"
        )
    wall = statistics.median(cli)
    print(
        f"| `workbench tag FILE -f jsonl` end to end (startup + load + output) | {wall:.1f} | "
        f"{words / wall:,.0f} | | | {base / wall:.2f}x |"
    )


if __name__ == "__main__":
    main()
