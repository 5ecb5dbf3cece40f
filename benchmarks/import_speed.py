"""Import all three BC5CDR splits into a fresh project, as a user runs it (a new process).

Reference in the same run: building and saving the same sentences as a Hugging
Face `datasets` DatasetDict, what a transformers user does with these files.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

FILES = [BC5CDR / "train.tsv", BC5CDR / "devel.tsv", BC5CDR / "test.tsv"]
REPEATS = 3


def workbench_import(tmp: Path) -> float:
    proj = tmp / "proj"
    shutil.rmtree(proj, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "workbench", "init", str(proj)], check=True, capture_output=True
    )
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "--project",
            str(proj),
            "import",
            *map(str, FILES),
            "--split",
            "train",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t0


HF = """
import sys, time
t0 = time.perf_counter()
from datasets import Dataset, DatasetDict
parts = {}
for name, path in zip(["train", "validation", "test"], sys.argv[2:]):
    toks, tags, cur_t, cur_g = [], [], [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\\n")
        if not line:
            if cur_t:
                toks.append(cur_t); tags.append(cur_g); cur_t, cur_g = [], []
            continue
        a, b = line.split("\\t")
        cur_t.append(a); cur_g.append(b)
    parts[name] = Dataset.from_dict({"tokens": toks, "ner_tags": tags})
DatasetDict(parts).save_to_disk(sys.argv[1])
"""


def hf_save(tmp: Path) -> float:
    out = tmp / "hf"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", HF, str(out), *map(str, FILES)], check=True, capture_output=True
    )
    return time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        wb = [workbench_import(tmp) for _ in range(REPEATS)]
        hf = [hf_save(tmp) for _ in range(REPEATS)]
    print(header("Import speed: BC5CDR train + devel + test (13,938 sentences)"))
    print("| what | median s | min s | runs |\n|---|---|---|---|")
    print(
        f"| `workbench import` (new process, parse + check + SQLite) | "
        f"{statistics.median(wb):.2f} | {min(wb):.2f} | {REPEATS} |"
    )
    print(
        f"| reference: HF `datasets` from_dict + save_to_disk (new process) | "
        f"{statistics.median(hf):.2f} | {min(hf):.2f} | {REPEATS} |"
    )
    print(
        f"\nTarget: at most 10 s. Ratio workbench / HF datasets: "
        f"{statistics.median(wb) / statistics.median(hf):.2f}x"
    )


if __name__ == "__main__":
    main()
