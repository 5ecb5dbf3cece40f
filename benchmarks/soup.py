"""Model soups through `workbench soup`: dev chooses the members and the context, test scores
the chosen recipe once (issue 14: one model as good as the ensemble, at one model's speed).

    python benchmarks/soup.py MODEL_DIR MODEL_DIR [...] [--contexts 0,16,32] [--min-size 2]
    python benchmarks/soup.py MODEL_DIR MODEL_DIR [...] --split test --contexts 0

On dev every subset of the models (at least --min-size of them) is averaged at each context
and scored, beside each model alone. On test (the same recipe's members refitted on train +
dev) only the whole set is averaged and scored, once. Each soup is made in a scratch
project holding BC5CDR's split, by the command a user runs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BC5CDR, header

WB = [sys.executable, "-m", "workbench"]
FILES = {"dev": "devel.tsv", "test": "test.tsv"}


def wb(project: Path, *args: str) -> str:
    done = subprocess.run(
        [*WB, "--project", str(project), *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def scored(project: Path, split: str, model: Path) -> dict[str, object]:
    got: dict[str, object] = json.loads(
        wb(
            project,
            "evaluate",
            "--split",
            split,
            "--model",
            str(model),
            "--json",
            "--device",
            "cpu",
        )
    )
    return got


def row(name: str, m: dict[str, object]) -> str:
    per: dict[str, dict[str, float]] = m["per_label"]  # type: ignore[assignment]
    labels = ", ".join(f"{k} {v['f1']:.4f}" for k, v in sorted(per.items()))
    return f"| {name} | {m['precision']:.4f} | {m['recall']:.4f} | **{m['f1']:.4f}** | {labels} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", type=Path)
    ap.add_argument("--split", choices=sorted(FILES), default="dev")
    ap.add_argument("--contexts", default="0", help="comma-separated: what each soup reads")
    ap.add_argument("--min-size", type=int, default=2, help="on dev: the smallest subset")
    ap.add_argument("--corpus", type=Path, default=BC5CDR)
    a = ap.parse_args()
    contexts = [int(c) for c in a.contexts.split(",")]
    names = {m: f"`{m.parent.parent.name}`" for m in a.models}  # a run's directory names it
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "proj"
        labels = ",".join(sorted({t[2:] for t in _tags(a.corpus / "train.tsv") if t != "O"}))
        subprocess.run([*WB, "init", str(project), "--labels", labels, "--base-model", "bundled"],
                       check=True, capture_output=True)  # fmt: skip
        wb(project, "import", str(a.corpus / FILES[a.split]), "--split", a.split)
        print(header(f"Model soups on {a.corpus.name} {a.split}"))
        print(f"| model(s) | {a.split} P | R | F1 | per label F1 |\n|---|---|---|---|---|")
        if a.split == "dev":
            for m in a.models:
                print(row(names[m] + " alone", scored(project, a.split, m)), flush=True)
        sizes = range(a.min_size, len(a.models) + 1) if a.split == "dev" else [len(a.models)]
        for size in sizes:
            for members in itertools.combinations(a.models, size):
                for ctx in contexts:
                    wb(project, "soup", *map(str, members), "--context", str(ctx),
                       "--promote", "always", "--device", "cpu")  # fmt: skip
                    path, recorded = _newest_model(project)
                    got = recorded["dev"] if a.split == "dev" else scored(project, a.split, path)
                    name = " + ".join(names[m] for m in members) + f", context {ctx}"
                    print(row(name, got), flush=True)


def _newest_model(project: Path) -> tuple[Path, dict[str, Any]]:
    """The soup just made, and what it recorded (its dev score, where it has one)."""
    conn = sqlite3.connect(project / "workbench.db")
    try:
        path, metrics = conn.execute(
            "SELECT path, metrics FROM models ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return project / path, json.loads(metrics)


def _tags(path: Path) -> set[str]:
    return {
        line.rsplit("\t", 1)[-1]
        for line in path.read_text(encoding="utf-8").splitlines()
        if "\t" in line
    }


if __name__ == "__main__":
    main()
