"""Accuracy: fine-tune on BC5CDR train (best epoch on dev), score on the test split.

Builds a project from sample_data/ and runs the same `workbench train` a user
runs, then `workbench evaluate --split test` (a round never reads test); prints the
figures for BENCHMARKS.md. Extra arguments go to `train`.

    python benchmarks/train_accuracy.py PROJECT_DIR [--epochs 12 --learning-rate 1e-4 ...]

`--corpus DIR` takes another corpus in the same layout (train.tsv, devel.tsv, test.tsv), e.g.
`../shared/data/ncbi-disease`; its labels are read from its tags.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

WB = [sys.executable, "-m", "workbench"]


def wb(project: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "workbench", "--project", str(project), *args], check=True
    )


def corpus_labels(corpus: Path) -> str:
    tags = {
        line.rsplit("\t", 1)[-1]
        for line in (corpus / "train.tsv").read_text(encoding="utf-8").splitlines()
        if "\t" in line
    }
    return ",".join(sorted({t[2:] for t in tags if t[:2] in ("B-", "I-")}))


def main() -> None:
    project = Path(sys.argv[1])
    rest = sys.argv[2:]
    corpus = BC5CDR
    if "--corpus" in rest:
        i = rest.index("--corpus")
        corpus = Path(rest[i + 1]).resolve()
        rest = rest[:i] + rest[i + 2 :]
    train_args = rest or ["--epochs", "12", "--learning-rate", "1e-4"]
    if not (project / "workbench.toml").exists():
        subprocess.run(
            [
                *WB,
                "init",
                str(project),
                "--base-model",
                "bundled",
                "--labels",
                corpus_labels(corpus),
            ],
            check=True,
        )
        wb(project, "import", str(corpus / "train.tsv"), "--split", "train")
        wb(project, "import", str(corpus / "devel.tsv"), "--split", "dev")
        wb(project, "import", str(corpus / "test.tsv"), "--split", "test")
    t0 = time.perf_counter()
    wb(project, "train", *train_args)
    wall = time.perf_counter() - t0
    print(report(project, wall, train_args))


def report(project: Path, wall: float | None, train_args: list[str]) -> str:
    conn = sqlite3.connect(project / "workbench.db")
    row = conn.execute(
        "SELECT r.metrics, r.timings, m.path FROM rounds r JOIN models m ON m.round_id = r.id"
        " ORDER BY r.id DESC LIMIT 1"
    ).fetchone()
    conn.close()
    m, timings, path = json.loads(row[0]), json.loads(row[1]), row[2]
    model = str(project / path)
    if m.get("test") is None:  # scored once, for this final recipe
        res = subprocess.run(
            [
                *WB,
                "--project",
                str(project),
                "evaluate",
                "--split",
                "test",
                "--model",
                model,
                "--json",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        m["test"] = json.loads(res.stdout)
    lines = [
        header("Tagger accuracy: bundled MiniLM-L6, best epoch on dev"),
        f"- train arguments: `{' '.join(train_args)}`; model `{path}`",
        (
            f"- best epoch {m['best_epoch']}"
            if m.get("best_epoch") is not None
            else "- a refit: the last epoch kept"
        )
        + f"; training {timings['train_s'] / 60:.1f} min "
        f"({m.get('train_precision', 'fp32')}), scoring dev {timings['evaluate_s']:.0f} s"
        + (f", wall {wall / 60:.1f} min" if wall else ""),
        "",
        "| split | label | precision | recall | F1 | support |",
        "|---|---|---|---|---|---|",
    ]
    for split in ("dev", "test"):
        s = m[split]
        if s is None:  # a refit (`train --with-dev`): dev trained the model
            lines.append(f"| {split} | (trained on it: `--with-dev`) | | | | |")
            continue
        for label, v in sorted(s["per_label"].items()):
            lines.append(
                f"| {split} | {label} | {v['precision']:.4f} | {v['recall']:.4f} | "
                f"{v['f1']:.4f} | {v['support']} |"
            )
        lines.append(
            f"| {split} | **micro** | {s['precision']:.4f} | {s['recall']:.4f} | "
            f"**{s['f1']:.4f}** | {s['support']} |"
        )
    lines.append("")
    lines.append(
        "Token accuracy: "
        + (f"dev {m['dev']['accuracy']:.4f}, " if m["dev"] else "")
        + f"test {m['test']['accuracy']:.4f}"
    )
    e = m["test"]["errors"]
    lines.append(
        f"Test errors: type confusions {e['type_confusions']}, boundary {e['boundary']}, "
        f"boundary+type {e['boundary_and_type']}, spurious {e['spurious']}, "
        f"missed {e['missed']}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):  # no project directory: usage
        sys.exit(__doc__)
    if len(sys.argv) > 2 and sys.argv[2] == "--report":
        print(report(Path(sys.argv[1]), None, sys.argv[3:]))
    else:
        main()
