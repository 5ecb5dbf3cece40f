"""Annotate-screen latency: key press to repainted screen, and opening the next document.

A project with BC5CDR train as accepted gold (the lexicon) and, as the pool, the
PubTator test abstracts of about 300 words with about 20 entities (title and
abstract as raw text). With `--model DIR` that model is registered as the
active one and suggests instead of the lexicon. The app runs headless under
Textual's Pilot; a paint is the compositor's update encoded as terminal output,
so each figure runs from the key event to the end of the first frame painted after
the key's handler ran (the frame that shows what it did).

    python benchmarks/tui_latency.py [--model DIR] [--presses 300] [--docs 23] [--opens 10]
                                     [--dictionary 100000]

With `--dictionary N` a dictionary of N terms is imported first (`workbench import-dict`):
the BC5CDR test set's chemicals with their MeSH ids, then made-up concepts whose names and
synonyms are 1-3 words of the abstracts' own vocabulary (so that the lexicon's walk meets
them all the time), up to N terms. The screen loads it with the suggestions and proposes
ids from it on every label key.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import BC5CDR, header

from workbench.formats import pubtator
from workbench.ops.importing import import_files
from workbench.project import Project, init_project
from workbench.store.rounds import finish_round, start_round
from workbench.tui.app import WorkbenchApp

KEYS = ["l", "l", "h", "j", "k", "L", "L", "2", "u", "right", "shift+right", "1", "x", "ctrl+z"]


def pick_abstracts(n: int) -> list[tuple[str, int]]:
    docs = pubtator.read(BC5CDR / "CDR_TestSet.PubTator.txt")
    chosen = [
        (d.text.replace("\n", " "), len(d.spans))
        for d in docs
        if 270 <= len(d.text.split()) <= 360 and 15 <= len(d.spans) <= 25
    ]
    random.Random(13).shuffle(chosen)
    return chosen[:n]


def build(root: Path, model: Path | None, n_docs: int) -> tuple[Project, float, float]:
    project = init_project(root, "Chemical,Disease", base_model="bundled")
    import_files(project, [BC5CDR / "train.tsv"], fmt="conll", split="train")
    picked = pick_abstracts(n_docs)
    pool = root / "pool.txt"
    pool.write_text("\n".join(t for t, _ in picked) + "\n", encoding="utf-8")
    import_files(project, [pool], fmt="text", split="pool")
    if model is not None:
        conn = project.connect()
        rid = start_round(conn, "train", None, {})
        finish_round(
            conn,
            rid,
            metrics={"f1": 0.0},
            timings={},
            model_path=str(model.resolve()),
            base_model="given",
            activate=True,
        )
        conn.close()
    words = statistics.mean(len(t.split()) for t, _ in picked)
    ents = statistics.mean(e for _, e in picked)
    return project, words, ents


def write_dictionary(path: Path, n_terms: int) -> None:
    """``n_terms`` names and synonyms: BC5CDR's chemicals with their ids, then made-up ones."""
    docs = pubtator.read(BC5CDR / "CDR_TestSet.PubTator.txt")
    names: dict[str, list[str]] = {}
    for d in docs:
        for sp in d.spans:
            cid = (sp.meta.get("pubtator") or ["-"])[0]
            if sp.label == "Chemical" and cid not in ("-", "-1") and "|" not in cid:
                names.setdefault(cid, []).append(d.text[sp.start : sp.end])
    lines, terms = [], 0
    for cid, found in names.items():
        uniq = list(dict.fromkeys(found))
        lines.append(f"MESH:{cid}\t{uniq[0]}\t{'|'.join(uniq[1:])}")
        terms += len(uniq)
    vocab = sorted({w for d in docs for w in d.text.split() if w.isalpha() and len(w) > 3})
    rng = random.Random(7)
    k = 0
    while terms < n_terms:
        k += 1
        made = [" ".join(rng.sample(vocab, rng.randint(1, 3))) for _ in range(rng.randint(1, 4))]
        lines.append(f"C{k:07d}\t{made[0]}\t{'|'.join(made[1:])}")
        terms += len(made)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


async def measure(project: Project, presses: int, opens: int) -> dict[str, list[float]]:
    app = WorkbenchApp(project)
    out: dict[str, list[float]] = {"key": [], "next": [], "accept": [], "suggest_wait": []}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.annotate
        paints: list[float] = []
        original = app._display

        def display(screen_: object, renderable: object) -> None:
            # headless Textual composes the frame but skips encoding it for the terminal:
            # encode it here, so a paint costs what it costs in a real terminal
            original(screen_, renderable)  # type: ignore[arg-type]
            if renderable is not None:
                render = getattr(renderable, "render_segments", None)
                if render is not None:
                    render(app.console)
                paints.append(time.perf_counter())

        app._display = display  # type: ignore[method-assign]

        async def ready() -> None:
            """Wait until the open and the next three documents have their suggestions."""
            t0 = time.perf_counter()
            while any(i not in screen.prefetcher.cache for i in screen.session.upcoming()):
                await asyncio.sleep(0.01)
            out["suggest_wait"].append(time.perf_counter() - t0)
            await pilot.pause()

        changed: list[float] = []
        for name in ("repaint", "show_document"):  # what every key ends in, when it does something

            def wrapped(*args: object, _orig: Callable[..., None] = getattr(screen, name)) -> None:
                _orig(*args)
                changed.append(time.perf_counter())

            setattr(screen, name, wrapped)

        async def timed(key: str, bucket: str) -> None:
            """From the key press to the first frame painted after its handler ran.

            Frames that other things cause (a notification fading) do not count: only
            the one that shows what the key did.
            """
            paints.clear()
            changed.clear()
            t0 = time.perf_counter()
            await pilot.press(key)
            deadline = time.perf_counter() + 1.0
            while time.perf_counter() < deadline:
                if changed and any(p >= changed[-1] for p in paints):
                    break
                await asyncio.sleep(0.001)
            if not changed:  # a key with nothing to do (up on the first line) paints nothing
                assert bucket == "key", f"{key}: the next document was not shown"
                return
            after = [p for p in paints if p >= changed[-1]]
            assert after, f"{key}: no frame within a second of its handler"
            shown = min(after)
            out[bucket].append(shown - t0)
            out.setdefault(f"by:{key}", []).append(shown - t0)

        await ready()
        rng = random.Random(13)
        for k in range(presses):
            await timed(KEYS[k % len(KEYS)] if k % 7 else rng.choice(KEYS), "key")
        for _ in range(min(opens, len(screen.session.order) - 2)):
            await ready()
            await timed("n", "next")
        for _ in range(min(opens, screen.session.remaining() - 1)):
            await ready()
            await timed("enter", "accept")
        screen.writer.flush()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path)
    ap.add_argument("--presses", type=int, default=300)
    ap.add_argument("--docs", type=int, default=23)
    ap.add_argument(
        "--opens", type=int, default=10, help="documents opened with n, then with enter"
    )
    ap.add_argument("--dictionary", type=int, default=0, help="terms of a dictionary to load")
    a = ap.parse_args()
    loaded = ""
    with tempfile.TemporaryDirectory() as tmp:
        project, words, ents = build(Path(tmp) / "proj", a.model, a.docs)
        if a.dictionary:
            from workbench.ops.dictionary import import_dictionary

            write_dictionary(Path(tmp) / "dict.tsv", a.dictionary)
            got = import_dictionary(project, Path(tmp) / "dict.tsv", "Chemical")
            loaded = f"; a dictionary of {got.concepts:,} concepts, {got.terms:,} terms loaded"
        res = asyncio.run(measure(project, a.presses, a.opens))
    print(header("Annotate screen latency (headless Pilot, 120x40)"))
    source = f"model {a.model}" if a.model else "lexicon of BC5CDR train"
    print(
        f"- pool: {a.docs} PubTator test abstracts, mean {words:.0f} words and {ents:.1f} gold "
        f"entities; suggestions from the {source}{loaded}\n"
    )
    print("| action | n | median ms | p95 ms | max ms | target |\n|---|---|---|---|---|---|")
    targets = {"key": "p95 <= 50", "next": "<= 100", "accept": "<= 100"}
    names = {
        "key": "key press to repaint (move, select, label, delete, undo)",
        "next": "`n`: open the next document, suggestions shown",
        "accept": "`enter`: save, open the next, suggestions shown",
    }
    for bucket in ("key", "next", "accept"):
        xs = [x * 1000 for x in res[bucket]]
        print(
            f"| {names[bucket]} | {len(xs)} | {statistics.median(xs):.1f} | {pct(xs, 0.95):.1f} |"
            f" {max(xs):.1f} | {targets[bucket]} |"
        )
    slow = sorted(
        ((pct(v, 0.95) * 1000, k[3:]) for k, v in res.items() if k.startswith("by:")),
        reverse=True,
    )
    print("\np95 by key: " + ", ".join(f"`{k}` {ms:.0f} ms" for ms, k in slow))
    waits = res["suggest_wait"]
    print(
        f"\nPrefetch: the first document's suggestions (model load included) were ready after "
        f"{waits[0]:.2f} s; afterwards the next three were already cached "
        f"{sum(w < 0.005 for w in waits[1:])}/{len(waits) - 1} times."
    )


if __name__ == "__main__":
    main()
