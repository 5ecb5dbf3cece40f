"""Throughput: `workbench tag` against the Hugging Face pipeline on the same model.

The 500 CDR test abstracts (title + abstract), words counted by white space.
Each contender runs in a fresh process: load the model, warm up on 5 texts,
then time tagging all 500; the process's peak RSS is reported too. The
pipeline is called as a user calls it: aggregation_strategy="first", default
batch size, then batch_size=32. End to end, `workbench tag FILE -f jsonl` is
timed as a command against a user's pipeline script doing the same (start
Python, load the model, tag the file, print JSON lines).

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


PIPELINE_SCRIPT = r"""
import json, sys
from transformers import pipeline
from transformers.utils import logging
logging.set_verbosity_error()
nlp = pipeline("token-classification", model=sys.argv[1], aggregation_strategy="first", device=-1)
texts = [t for t in open(sys.argv[2], encoding="utf-8").read().split("\n") if t]
for text, ents in zip(texts, nlp(texts)):
    spans = [{"start": e["start"], "end": e["end"], "label": e["entity_group"],
              "score": float(e["score"])} for e in ents]
    print(json.dumps({"text": text, "spans": spans}))
"""


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


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
        ends: dict[str, list[float]] = {"cli": [], "script": []}
        for _ in range(repeats):  # interleaved, so that noise hits every contender alike
            for kind in ("workbench", "workbench-fp32", "pipeline", "pipeline-32"):
                results.setdefault(kind, []).append(run(kind, model, src))
            tag = [sys.executable, "-m", "workbench", "tag", str(src), "--model", model]
            ends["cli"].append(wall([*tag, "-f", "jsonl", "--device", "cpu"]))
            ends["script"].append(wall([sys.executable, "-c", PIPELINE_SCRIPT, model, str(src)]))
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
    cli, script = statistics.median(ends["cli"]), statistics.median(ends["script"])
    print(
        "\nEnd to end, a process per run (Python start, imports, model load, tagging, "
        "JSON lines out):\n"
    )
    print("| contender | seconds | words/s | vs pipeline script |\n|---|---|---|---|")
    print(
        f"| `workbench tag FILE -f jsonl` | {cli:.1f} | {words / cli:,.0f} | {script / cli:.2f}x |"
    )
    print(
        f"| a pipeline script (default batch size, JSON lines out) | {script:.1f} | "
        f"{words / script:,.0f} | 1.00x |"
    )


if __name__ == "__main__":
    main()
