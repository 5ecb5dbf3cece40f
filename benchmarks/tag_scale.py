"""`workbench tag` at scale, measured side by side with the Hugging Face pipeline.

    python benchmarks/tag_scale.py throughput MODEL [--copies 1] [--repeats 2]
    python benchmarks/tag_scale.py startup MODEL [--repeats 5]
    python benchmarks/tag_scale.py rss MODEL [--sizes 1000,10000,100000]
    python benchmarks/tag_scale.py ray MODEL [--copies 4]
    python benchmarks/tag_scale.py onnx MODEL
    python benchmarks/tag_scale.py context MODEL [--repeats 3]
    python benchmarks/tag_scale.py gpu MODEL [--copies 4] [--repeats 2]

Inputs are the 500 CDR test abstracts (PubTator), repeated ``--copies`` times with fresh
PMIDs; words are counted by white space in title + abstract. Every contender runs in a
fresh process of its own; contenders are interleaved so that the machine's noise hits all
alike. `throughput` gives steady state (the model loaded and warm, the timed part only) and
end to end (a command: Python start, imports, load, tagging, output) for `workbench tag`
with each runtime against a user's pipeline script (default batch size and batch 64).
`startup` times a one-line input to its first output line. `rss` gives peak resident
memory by input size. `ray` runs `--engine ray` with 1 and 2 local workers. `onnx` exports
the model's graphs and scores fp32 and int8 on BC5CDR test (seqeval, the F1 cost of int8).
`context` gives what a model trained with `--context` costs `tag`: its steady rate against
the same weights told to read no context (a copy whose config says 0), and the pipeline's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header, tag_cmd

PUBTATOR = BC5CDR / "CDR_TestSet.PubTator.txt"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}

STEADY = r"""
import json, resource, sys, time
kind, model, src = sys.argv[1], sys.argv[2], sys.argv[3]
device = sys.argv[4] if len(sys.argv) > 4 else "cpu"
blocks = [b for b in open(src, encoding="utf-8").read().split("\n\n") if b.strip()]
texts = [b.split("\n")[0].split("|t|", 1)[1] + " " + b.split("\n")[1].split("|a|", 1)[1]
         for b in blocks]
if kind.startswith("workbench"):
    from workbench.core import Document, tokenize
    from workbench.model.predict import Tagger
    runtime, precision = kind.split(":")[1:]
    tagger = Tagger(model, device=device, precision=precision, runtime=runtime)
    def run(batch):
        docs = [Document(t, tokenize(t)) for t in batch]
        out = []
        step = 256 if device == "cpu" else 4096  # a GPU's batches are larger
        for i in range(0, len(docs), step):
            out += tagger.tag(docs[i:i + step])
        return out
else:
    from transformers import pipeline
    from transformers.utils import logging
    logging.set_verbosity_error()
    nlp = pipeline("token-classification", model=model, aggregation_strategy="first",
                   device=0 if device == "cuda" else -1)
    bs = int(kind.split(":")[1])
    def run(batch):
        return nlp(batch) if bs == 0 else nlp(batch, batch_size=bs)
run(texts[:5])
t0 = time.perf_counter()
out = run(texts)
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "entities": sum(len(p) for p in out),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PIPELINE_SCRIPT = r"""
import json, sys
from transformers import pipeline
from transformers.utils import logging
logging.set_verbosity_error()
nlp = pipeline("token-classification", model=sys.argv[1], aggregation_strategy="first", device=-1)
bs = int(sys.argv[3])
blocks = [b for b in open(sys.argv[2], encoding="utf-8").read().split("\n\n") if b.strip()]
ids = [b.split("|", 1)[0] for b in blocks]
texts = [b.split("\n")[0].split("|t|", 1)[1] + " " + b.split("\n")[1].split("|a|", 1)[1]
         for b in blocks]
for pmid, ents in zip(ids, nlp(texts) if bs == 0 else nlp(texts, batch_size=bs)):
    print(json.dumps({"id": pmid, "entities": [
        {"start": e["start"], "end": e["end"], "label": e["entity_group"],
         "score": float(e["score"])} for e in ents]}))
"""


def inputs(tmp: Path, copies: int) -> tuple[Path, int, int]:
    """(PubTator file, documents, words) of the CDR test abstracts ``copies`` times."""
    blocks = [b for b in PUBTATOR.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    out, words = [], 0
    for c in range(copies):
        for b in blocks:
            lines = b.split("\n")
            pmid = lines[0].split("|", 1)[0]
            title, abstract = lines[0].split("|t|", 1)[1], lines[1].split("|a|", 1)[1]
            words += len(title.split()) + len(abstract.split())
            out.append(f"{c}{pmid}|t|{title}\n{c}{pmid}|a|{abstract}")
    path = tmp / f"cdr-x{copies}.pubtator"
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return path, len(out), words


def steady(kind: str, model: str, src: Path, device: str = "cpu") -> dict[str, float]:
    res = subprocess.run(
        [sys.executable, "-c", STEADY, kind, model, str(src), device],
        capture_output=True,
        text=True,
        env=ENV,
    )
    if res.returncode != 0:
        raise SystemExit(f"the steady run of {kind} on {model} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of a command run to its end."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{' '.join(cmd)} failed: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    return wall, usage.ru_maxrss / 1024


def throughput(args: argparse.Namespace) -> None:
    runtimes = [("torch", "auto"), ("torch", "fp32"), ("onnx", "fp32"), ("onnx", "int8")]
    names = {
        "torch:auto": "torch, auto (bf16 where the CPU computes it)",
        "torch:fp32": "torch, fp32",
        "onnx:fp32": "ONNX Runtime, fp32",
        "onnx:int8": "ONNX Runtime, dynamic int8",
    }
    # The steady runs load the ONNX graph, which `tag` would export; exported in a child, since
    # a child's peak RSS starts at this process's (Linux counts the pre-exec fork).
    export = "import sys; from pathlib import Path; from workbench.model.onnx_export import "
    export += "ensure_onnx; ensure_onnx(Path(sys.argv[1]), print)"
    done = subprocess.run([sys.executable, "-c", export, args.model], env=ENV, check=False)
    if done.returncode != 0:
        raise SystemExit(f"exporting {args.model} to ONNX failed")
    with tempfile.TemporaryDirectory() as tmp:
        src, n_docs, words = inputs(Path(tmp), args.copies)
        st: dict[str, list[dict[str, float]]] = {}
        e2e: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.repeats):
            for rt, prec in runtimes:
                key = f"workbench:{rt}:{prec}"
                st.setdefault(key, []).append(steady(key, args.model, src))
                e2e.setdefault(key, []).append(
                    timed(
                        tag_cmd(
                            args.model,
                            src,
                            "--runtime",
                            rt,
                            "--precision",
                            "auto" if prec == "int8" else prec,
                        )
                    )
                )
            for bs in (0, 64):
                key = f"pipeline:{bs}"
                st.setdefault(key, []).append(steady(key, args.model, src))
                e2e.setdefault(key, []).append(
                    timed([sys.executable, "-c", PIPELINE_SCRIPT, args.model, str(src), str(bs)])
                )
    med = {k: statistics.median(r["seconds"] for r in v) for k, v in st.items()}
    wall = {k: statistics.median(t for t, _ in v) for k, v in e2e.items()}
    print(header(f"Tagging throughput on this CPU: {n_docs:,} CDR abstracts"))
    print(
        f"- model: `{args.model}`; {n_docs:,} documents, {words:,} words; median of "
        f"{args.repeats} runs, contenders interleaved\n"
    )
    print(
        "| contender | steady s | steady words/s | vs pipeline | end to end s | "
        "e2e words/s | vs pipeline script | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    base_st, base_e2e = med["pipeline:0"], wall["pipeline:0"]
    for key in [f"workbench:{rt}:{p}" for rt, p in runtimes] + ["pipeline:0", "pipeline:64"]:
        label = (
            f"`workbench tag`, {names[key.split(':', 1)[1]]}"
            if key.startswith("workbench")
            else "HF pipeline, " + ("default batch size" if key == "pipeline:0" else "batch 64")
        )
        rss = max(r for _, r in e2e[key])
        st_part = f"{med[key]:.1f} | {words / med[key]:,.0f} | {base_st / med[key]:.2f}x"
        e2e_part = f"{wall[key]:.1f} | {words / wall[key]:,.0f} | {base_e2e / wall[key]:.2f}x"
        print(f"| {label} | {st_part} | {e2e_part} | {rss:.0f} |")
    best = max((k for k in med if k.startswith("workbench")), key=lambda k: words / med[k])
    rate = words / med[best]
    print(
        f"\nProjection from the best steady rate here ({names[best.split(':', 1)[1]]}, "
        f"{rate:,.0f} words/s on {os.cpu_count()} cores): 30 M abstracts of about 200 words "
        f"(6 billion words) take {6e9 / rate / 3600:,.0f} CPU-machine-hours of this size."
    )


def gpu(args: argparse.Namespace) -> None:
    """Steady state on the GPU (issue 12's 400,000 words/s): `workbench tag`'s tagger
    against the HF pipeline on the same GPU, each in a fresh process, interleaved."""
    import torch

    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device here")
    keys = ["workbench:torch:auto", "pipeline:0", "pipeline:64"]
    with tempfile.TemporaryDirectory() as tmp:
        src, n_docs, words = inputs(Path(tmp), args.copies)
        cmd = tag_cmd(args.model, src)
        cmd[cmd.index("--device") + 1] = "cuda"
        st: dict[str, list[float]] = {}
        e2e: list[float] = []
        for _ in range(args.repeats):
            for key in keys:
                st.setdefault(key, []).append(steady(key, args.model, src, "cuda")["seconds"])
            e2e.append(timed(cmd)[0])
    med = {k: statistics.median(v) for k, v in st.items()}
    print(header(f"Tagging throughput on {torch.cuda.get_device_name()}: {n_docs:,} abstracts"))
    print(
        f"- model: `{args.model}`; {n_docs:,} documents, {words:,} words; steady state (model "
        f"loaded and warm); median of {args.repeats}, contenders interleaved\n"
    )
    print("| contender | steady s | words/s | vs pipeline |\n|---|---|---|---|")
    labels = {
        "workbench:torch:auto": "`workbench tag`'s tagger, bf16",
        "pipeline:0": "HF pipeline, default batch size",
        "pipeline:64": "HF pipeline, batch 64",
    }
    for key in keys:
        print(
            f"| {labels[key]} | {med[key]:.2f} | {words / med[key]:,.0f} | "
            f"{med['pipeline:0'] / med[key]:.2f}x |"
        )
    wall = statistics.median(e2e)
    print(
        f"\n`{' '.join(cmd[3:])}` end to end (Python start, imports, load, tagging, output): "
        f"{wall:.1f} s, {words / wall:,.0f} words/s"
    )


def context(args: argparse.Namespace) -> None:
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        src, n_docs, words = inputs(Path(tmp), 1)
        plain = Path(tmp) / "no-context"
        shutil.copytree(args.model, plain)
        config = json.loads((plain / "config.json").read_text())
        given = config.get("workbench_context", 0)
        config["workbench_context"] = 0
        (plain / "config.json").write_text(json.dumps(config))
        runs: dict[str, list[float]] = {}
        for _ in range(args.repeats):
            wb = "workbench:torch:auto"
            for name, model, kind in (
                (f"with its context ({given} sub-tokens a side)", args.model, wb),
                ("the same weights, no context", str(plain), wb),
                ("HF pipeline, default batch size", args.model, "pipeline:0"),
            ):
                runs.setdefault(name, []).append(steady(kind, model, src)["seconds"])
    print(header(f"What document context costs `tag`: {n_docs:,} CDR abstracts"))
    print(f"- model: `{args.model}`; {words:,} words; median of {args.repeats} runs, interleaved\n")
    print("| `workbench tag` (torch, auto) | steady s | words/s | vs no context | vs pipeline |")
    print("|---|---|---|---|---|")
    med = {k: statistics.median(v) for k, v in runs.items()}
    plain_s, pipe_s = med["the same weights, no context"], med["HF pipeline, default batch size"]
    for name, sec in med.items():
        ratios = f"{plain_s / sec:.2f}x | {pipe_s / sec:.2f}x"
        print(f"| {name} | {sec:.1f} | {words / sec:,.0f} | {ratios} |")


def versus(args: argparse.Namespace) -> None:
    """`tag` with one model against another on the same input, interleaved: e.g. a soup
    (`workbench soup`) against one of its members, to show it costs no speed."""
    with tempfile.TemporaryDirectory() as tmp:
        src, n_docs, words = inputs(Path(tmp), 1)
        runs: dict[str, list[float]] = {}
        for _ in range(args.repeats):
            for model in (args.model, args.against):
                runs.setdefault(model, []).append(
                    steady("workbench:torch:auto", model, src)["seconds"]
                )
    print(header(f"`tag` with one model against another: {n_docs:,} CDR abstracts"))
    print(f"- {words:,} words; median of {args.repeats} runs, interleaved\n")
    print("| model (`workbench tag`, torch, auto) | steady s | words/s | vs the second |")
    print("|---|---|---|---|")
    med = {k: statistics.median(v) for k, v in runs.items()}
    for model, sec in med.items():
        print(f"| `{model}` | {sec:.1f} | {words / sec:,.0f} | {med[args.against] / sec:.2f}x |")


def startup(args: argparse.Namespace) -> None:
    line = (
        "Famotidine-associated delirium in a patient treated with cisplatin for "
        "renal cell carcinoma .\n"
    )
    rows: dict[str, list[float]] = {}
    cmds = {
        "`workbench tag -` (torch)": tag_cmd(args.model, "-"),
        "`workbench tag -` (onnx)": tag_cmd(args.model, "-", "--runtime", "onnx"),
    }
    for _ in range(args.repeats):
        for name, cmd in cmds.items():
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=ENV,
            )
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(line.encode())
            proc.stdin.close()
            first = proc.stdout.readline()
            rows.setdefault(name, []).append(time.perf_counter() - t0)
            proc.wait()
            assert json.loads(first)["entities"] is not None
    print(header("Start-up: a one-line input to its first output line"))
    print(f"- model: `{args.model}`; median and max of {args.repeats} runs, a warm machine\n")
    print("| command | median s | max s |\n|---|---|---|")
    for name, values in rows.items():
        print(f"| {name} | {statistics.median(values):.2f} | {max(values):.2f} |")


def rss(args: argparse.Namespace) -> None:
    sizes = [int(x) for x in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            copies = max(1, -(-n // 500))
            src, docs, words = inputs(Path(tmp), copies)
            wall, peak = timed(tag_cmd(args.model, src, "--runtime", args.runtime))
            rows.append((docs, words, wall, peak))
            src.unlink()
    print(header("Peak memory of `workbench tag` by input size"))
    print(f"- model: `{args.model}`, runtime {args.runtime}; JSON lines to /dev/null\n")
    print("| documents | words | seconds | words/s | peak RSS MB |\n|---|---|---|---|---|")
    for docs, words, wall, peak in rows:
        print(f"| {docs:,} | {words:,} | {wall:.0f} | {words / wall:,.0f} | {peak:.0f} |")
    print(f"\nLargest / smallest peak RSS: {rows[-1][3] / rows[0][3]:.3f}")


def ray(args: argparse.Namespace) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src, docs, words = inputs(Path(tmp), args.copies)
        local = timed([*tag_cmd(args.model, src, "--out", f"{tmp}/local", "--shard-size", "512K")])
        rows.append(("local engine", local[0]))
        for workers in (1, 2):
            out = f"{tmp}/ray{workers}"
            wall, _ = timed(
                [
                    *tag_cmd(
                        args.model,
                        src,
                        "--out",
                        out,
                        "--shard-size",
                        "512K",
                        "--engine",
                        "ray",
                        "--workers",
                        str(workers),
                    )
                ]
            )
            rows.append((f"Ray Data, {workers} local CPU actor(s)", wall))
    print(header(f"The Ray engine on this machine: {docs:,} abstracts, shards of 512 KiB"))
    print(
        f"- model: `{args.model}`; {words:,} words; wall time of the whole command "
        "(a local Ray started and stopped inside it)\n"
    )
    print("| engine | seconds | words/s |\n|---|---|---|")
    for name, wall in rows:
        print(f"| {name} | {wall:.0f} | {words / wall:,.0f} |")


def onnx(args: argparse.Namespace) -> None:
    from workbench.formats import conll
    from workbench.model.evaluate import score
    from workbench.model.onnx_export import export_onnx
    from workbench.model.predict import Tagger

    model = Path(args.model)
    t0 = time.perf_counter()
    export_onnx(model)
    exported = time.perf_counter() - t0
    docs = conll.read(BC5CDR / "test.tsv")
    rows = []
    for runtime, precision in (
        ("torch", "fp32"),
        ("torch", "bf16"),
        ("onnx", "fp32"),
        ("onnx", "int8"),
    ):
        tagger = Tagger(model, device="cpu", precision=precision, runtime=runtime)
        t1 = time.perf_counter()
        m = score(docs, tagger.tag(docs))
        rows.append((runtime, tagger.precision, m, time.perf_counter() - t1))
    print(header("ONNX Runtime: accuracy of fp32 and dynamic int8 on BC5CDR test"))
    print(
        f"- model: `{model}`; export of both graphs {exported:.0f} s; test.tsv, "
        f"{len(docs):,} sentences\n"
    )
    print("| runtime | precision | test F1 | Chemical F1 | Disease F1 | seconds |")
    print("|---|---|---|---|---|---|")
    for runtime, precision, m, sec in rows:
        per = m["per_label"]
        print(
            f"| {runtime} | {precision} | {m['f1']:.4f} | {per['Chemical']['f1']:.4f} | "
            f"{per['Disease']['f1']:.4f} | {sec:.1f} |"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    for name, fn in (
        ("throughput", throughput),
        ("startup", startup),
        ("rss", rss),
        ("ray", ray),
        ("onnx", onnx),
        ("context", context),
        ("versus", versus),
        ("gpu", gpu),
    ):
        p = sub.add_parser(name)
        p.add_argument("model")
        p.set_defaults(fn=fn)
        if name in ("throughput", "ray", "gpu"):
            p.add_argument("--copies", type=int, default=1 if name == "throughput" else 4)
        if name == "versus":
            p.add_argument("--against", required=True, help="the model to compare with")
        if name in ("throughput", "startup", "context", "versus", "gpu"):
            p.add_argument("--repeats", type=int, default=5 if name == "startup" else 2)
        if name == "rss":
            p.add_argument("--sizes", default="1000,10000,100000")
            p.add_argument("--runtime", default="torch")
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
