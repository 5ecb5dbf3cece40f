"""`workbench tag` at scale: every input format, shards that resume after a kill, a bad
record mid-stream, the Ray engine, and memory that does not grow with the input."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import BC5CDR, write
from workbench.cli import app
from workbench.formats import pubtator

PUBTATOR = BC5CDR / "CDR_TestSet.PubTator.txt"


def _tag(*args: str, input: str | None = None) -> object:
    return CliRunner().invoke(app, ["tag", *args], input=input)


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _pubtator_head(tmp_path: Path, n: int) -> Path:
    blocks = PUBTATOR.read_text(encoding="utf-8").split("\n\n")[:n]
    return write(tmp_path / f"cdr{n}.txt", "\n\n".join(blocks) + "\n")


def test_pubtator_in_pubtator_out_keeps_pmids_and_offsets(
    tiny_tagger: Path, tmp_path: Path
) -> None:
    src = _pubtator_head(tmp_path, 12)
    res = _tag(str(src), "--model", str(tiny_tagger), "--device", "cpu")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    out = write(tmp_path / "out.pubtator", res.stdout)  # type: ignore[attr-defined]
    gold, tagged = pubtator.read(src), pubtator.read(out)
    assert [d.external_id for d in tagged] == [d.external_id for d in gold]
    assert [d.text for d in tagged] == [d.text for d in gold]
    assert sum(len(d.spans) for d in tagged) > 0
    for d in tagged:  # offsets into title + " " + abstract, as the gold file's
        assert all(not s.meta.get("pubtator") for s in d.spans)
        assert d.meta["pubtator"]["relations"] == []


@pytest.mark.parametrize("kind", ["text", "jsonl", "conll", "pubtator", "gzip", "stdin"])
def test_every_input_format_through_tag(tiny_tagger: Path, tmp_path: Path, kind: str) -> None:
    docs = pubtator.read(_pubtator_head(tmp_path, 3))
    stdin = None
    if kind in ("text", "stdin"):
        content = "\n".join(d.text for d in docs) + "\n"
        src = "-" if kind == "stdin" else str(write(tmp_path / "in.txt", content))
        stdin = content if kind == "stdin" else None
        ids = [f"{'<stdin>' if kind == 'stdin' else src}:{i}" for i in (1, 2, 3)]
    elif kind == "jsonl":
        rows = [json.dumps({"id": f"doc{i}", "text": d.text}) for i, d in enumerate(docs)]
        src = str(write(tmp_path / "in.jsonl", "\n".join(rows) + "\n"))
        ids = ["doc0", "doc1", "doc2"]
    elif kind == "conll":
        lines = []
        for d in docs:
            lines += [f"-DOCSTART- {d.external_id}", ""]
            lines += [f"{t}\tO" for t in d.token_texts()] + [""]
        src = str(write(tmp_path / "in.conll", "\n".join(lines) + "\n"))
        ids = [str(d.external_id) for d in docs]
    else:
        raw = "\n\n".join(PUBTATOR.read_text(encoding="utf-8").split("\n\n")[:3]).encode()
        path = tmp_path / ("in.pubtator.gz" if kind == "gzip" else "in.pubtator")
        path.write_bytes(gzip.compress(raw) if kind == "gzip" else raw)
        src = str(path)
        ids = [str(d.external_id) for d in docs]
    res = _tag(src, "--model", str(tiny_tagger), "-f", "jsonl", input=stdin)
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    recs = _jsonl(res.stdout)  # type: ignore[attr-defined]
    assert [r["id"] for r in recs] == ids
    for r in recs:
        text = str(r["text"])
        for e in r["entities"]:  # type: ignore[attr-defined]
            assert text[e["start"] : e["end"]] == e["text"]
    if kind != "conll":  # CoNLL text is its tokens joined by spaces
        assert [r["text"] for r in recs] == [d.text for d in docs]


def _tag_out(model: Path, src: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "workbench", "tag", str(src), "--model", str(model),
        "--device", "cpu", "-f", "jsonl", "--out", str(out), *extra,
    ]  # fmt: skip


ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def _run_out(model: Path, src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _tag_out(model, src, out, *extra), capture_output=True, text=True, env=ENV
    )


def _shard_ids(out: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    rows = []
    for part in sorted(out.glob("part-*.jsonl")):
        for r in _jsonl(part.read_text(encoding="utf-8")):
            rows.append((str(r["id"]), [(e["start"], e["end"], e["label"]) for e in r["entities"]]))  # type: ignore[attr-defined]
    return rows


def _tiny_shards() -> list[str]:
    return ["--shard-size", "48K", "--precision", "fp32"]


def _big_input(tmp_path: Path, n: int) -> Path:
    """The first ``n`` CDR abstracts (with their mentions): about 2.3 KB each, so that
    48 KiB shards hold about 20."""
    blocks = [b for b in PUBTATOR.read_text(encoding="utf-8").split("\n\n") if b.strip()][:n]
    return write(tmp_path / f"cdr{n}.pubtator", "\n\n".join(blocks) + "\n")


def test_shards_resume_after_a_kill_and_match_a_clean_run(
    tiny_tagger: Path, tmp_path: Path
) -> None:
    src = _big_input(tmp_path, 150)  # about 350 KB: seven or eight shards of 48 KiB
    clean = tmp_path / "clean"
    res = _run_out(tiny_tagger, src, clean, *_tiny_shards())
    assert res.returncode == 0, res.stderr
    manifest = json.loads((clean / "manifest.json").read_text())
    assert manifest["complete"] and len(manifest["shards"]) >= 6

    out = tmp_path / "killed"
    proc = subprocess.Popen(
        _tag_out(tiny_tagger, src, out, *_tiny_shards()),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # kill once the first shard is finished
        path = out / "manifest.json"
        if path.exists() and json.loads(path.read_text() or "{}").get("finished"):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = json.loads((out / "manifest.json").read_text())
    assert 1 <= len(done["finished"]) < len(done["shards"]) and not done["complete"]
    for row in done["finished"].values():  # every listed shard is whole
        assert len(_jsonl((out / row["file"]).read_text())) == row["documents"]
    res = _run_out(tiny_tagger, src, out, *_tiny_shards())
    assert res.returncode == 0, res.stderr
    assert "already done" in res.stderr
    assert not list(out.glob(".*.tmp"))
    assert _shard_ids(out) == _shard_ids(clean)
    assert json.loads((out / "manifest.json").read_text())["complete"]


def test_a_changed_input_is_not_resumed_into(tiny_tagger: Path, tmp_path: Path) -> None:
    src = _pubtator_head(tmp_path, 5)
    out = tmp_path / "o"
    assert _run_out(tiny_tagger, src, out).returncode == 0
    write(src, src.read_text() + "\n99|t|New.\n")
    res = _run_out(tiny_tagger, src, out)
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "other inputs" in res.stderr


def _with_bad_record(tmp_path: Path) -> tuple[Path, int]:
    """150 abstracts with a mention in the fifth shard whose offsets miss its text."""
    src = _big_input(tmp_path, 150)
    lines = src.read_text(encoding="utf-8").split("\n")
    at = next(i for i, ln in enumerate(lines) if i > len(lines) * 0.6 and ln.count("\t") >= 4)
    f = lines[at].split("\t")
    f[3] = f[3] + "x"
    lines[at] = "\t".join(f)
    write(src, "\n".join(lines))
    return src, at + 1


def test_a_bad_record_mid_stream_stops_with_finished_shards_kept(
    tiny_tagger: Path, tmp_path: Path
) -> None:
    src, line = _with_bad_record(tmp_path)
    out = tmp_path / "o"
    res = _run_out(tiny_tagger, src, out, *_tiny_shards())
    assert res.returncode == 1
    assert res.stderr.strip().count("\n") == 0 and "Traceback" not in res.stderr
    assert f"{src}:{line}:" in res.stderr and "differs from the document" in res.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["error"] and not manifest["complete"]
    done = sorted(manifest["finished"], key=int)
    assert done == [str(i) for i in range(len(done))] and len(done) >= 2  # all before the bad
    bad_unit = next(u for u in manifest["shards"] if u["index"] == len(done))
    assert bad_unit["first_line"] <= line and (bad_unit["end"] is None or len(done) < 9)
    assert sorted(p.name for p in out.glob("part-*")) == [
        f"part-{i:05d}.jsonl" for i in range(len(done))
    ]
    for row in manifest["finished"].values():
        assert len(_jsonl((out / row["file"]).read_text())) == row["documents"]


def test_skip_bad_logs_the_record_and_goes_on(tiny_tagger: Path, tmp_path: Path) -> None:
    src, line = _with_bad_record(tmp_path)
    out = tmp_path / "o"
    res = _run_out(tiny_tagger, src, out, *_tiny_shards(), "--skip-bad")
    assert res.returncode == 0, res.stderr
    assert "1 bad records skipped" in res.stderr
    (rejected,) = _jsonl((out / "rejected.jsonl").read_text())
    assert rejected["line"] == line and "differs" in str(rejected["error"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"]
    assert sum(r["documents"] for r in manifest["finished"].values()) == 149


def test_ray_output_equals_the_local_output(tiny_tagger: Path, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    src = _big_input(tmp_path, 60)  # three shards, for two actors
    local, ray_out = tmp_path / "local", tmp_path / "ray"
    assert _run_out(tiny_tagger, src, local, *_tiny_shards()).returncode == 0
    res = _run_out(
        tiny_tagger,
        src,
        ray_out,
        *_tiny_shards(),
        "--engine",
        "ray",
        "--workers",
        "2",
    )
    assert res.returncode == 0, res.stderr
    assert _shard_ids(ray_out) == _shard_ids(local)
    a = json.loads((local / "manifest.json").read_text())
    b = json.loads((ray_out / "manifest.json").read_text())
    assert b["complete"] and [r["documents"] for r in b["finished"].values()] == [
        r["documents"] for r in a["finished"].values()
    ]


def _peak_rss_mb(cmd: list[str]) -> float:
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, proc.stderr.read() if proc.stderr else ""
    return usage.ru_maxrss / 1024


def test_memory_stays_flat_as_the_input_grows(tiny_tagger: Path, tmp_path: Path) -> None:
    line = "Famotidine-associated delirium and renal failure after cisplatin in 12 patients ."
    small = write(tmp_path / "small.txt", (line + "\n") * 1_000)
    large = write(tmp_path / "large.txt", (line + "\n") * 10_000)
    cmd = [
        sys.executable,
        "-m",
        "workbench",
        "tag",
        "--model",
        str(tiny_tagger),
        "--device",
        "cpu",
        "-f",
        "jsonl",
    ]
    rss_small = _peak_rss_mb([*cmd, str(small)])
    rss_large = _peak_rss_mb([*cmd, str(large)])
    assert rss_large < rss_small * 1.10, (rss_small, rss_large)
