"""Distillation: a student learns from the gold tags and its teachers' word probabilities, each
teacher row on the word it belongs to."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.core import spans_to_bio
from workbench.project import Project
from workbench.store.documents import iter_documents

FAST = ["--epochs", "1", "--batch-size", "8", "--max-steps", "4", "--device", "cpu"]
TAGS = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]


def test_each_teacher_row_lands_on_its_word(tiny_project: Project, tiny_bert: Path) -> None:
    """Teachers that agree with gold, one-hot: after batching, every labelled position's
    teacher row names the gold tag of that very position."""
    from transformers import AutoTokenizer, DataCollatorForTokenClassification

    from workbench.model.distill import DistillCollator
    from workbench.model.train import build_examples

    conn = tiny_project.connect()
    try:
        docs = [s.document for s in iter_documents(conn, splits=["train"], context_words=8)]
    finally:
        conn.close()
    label2id = {t: i for i, t in enumerate(TAGS)}
    soft = [
        np.eye(len(TAGS))[[label2id[t] for t in spans_to_bio(d.tokens, d.spans)[0]]] for d in docs
    ]
    tok = AutoTokenizer.from_pretrained(str(tiny_bert))
    examples = build_examples(docs, tok, label2id, 128, context=8, soft=soft)
    collate = DistillCollator(DataCollatorForTokenClassification(tok))
    for k in range(0, len(examples), 16):
        batch = collate(examples[k : k + 16])
        labels = batch["labels"]
        gold = labels[labels != -100]
        assert gold.numel() > 0
        assert batch["teacher_probs"].argmax(-1).tolist() == gold.tolist()
    assert all("teacher" in e for e in examples)  # the dataset's rows serve every epoch


def test_the_weight_shares_the_loss_between_gold_and_teachers() -> None:
    import torch

    from workbench.model.distill import distill_loss

    logits = torch.tensor([[[2.0, 0.0], [0.0, 1.0], [5.0, 5.0]]])
    labels = torch.tensor([[0, 1, -100]])
    gold = torch.nn.functional.cross_entropy(logits[0, :2], labels[0, :2])
    teacher = torch.tensor([[0.5, 0.5], [0.0, 1.0]])
    out = SimpleNamespace(logits=logits, loss=gold)
    soft = -(teacher * torch.log_softmax(logits[0, :2], -1)).sum(-1).mean()
    assert torch.isclose(distill_loss(out, labels, teacher, 0.0), gold)
    assert torch.isclose(distill_loss(out, labels, teacher, 1.0), soft)
    assert torch.isclose(distill_loss(out, labels, teacher, 0.25), 0.75 * gold + 0.25 * soft)


def test_train_learns_from_a_teacher_and_refuses_a_wrong_one(
    tiny_project: Project, tiny_tagger: Path, tmp_path: Path
) -> None:
    def train(*args: str) -> object:
        return CliRunner().invoke(app, ["--project", str(tiny_project.root), "train", *FAST, *args])

    res = train("--teacher", str(tiny_tagger))
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "Distilling from 1 teacher" in res.output  # type: ignore[attr-defined]

    other = tmp_path / "gene-tagger"
    shutil.copytree(tiny_tagger, other)
    config = json.loads((other / "config.json").read_text())
    tags = ["O", "B-Gene", "I-Gene", "B-Species", "I-Species"]
    config["id2label"] = dict(enumerate(tags))
    config["label2id"] = {t: i for i, t in enumerate(tags)}
    (other / "config.json").write_text(json.dumps(config))
    for teacher, says in ((other, "B-Gene"), (tmp_path / "nowhere", "nowhere")):
        res = train("--teacher", str(teacher))
        output = res.output  # type: ignore[attr-defined]
        assert res.exit_code != 0 and says in output, output  # type: ignore[attr-defined]
        assert "Traceback" not in output
    models = sorted((tiny_project.root / "models").iterdir())
    assert len([m for m in models if m.name.startswith("model-")]) == 1  # nothing from those


@pytest.mark.parametrize("weight", ["-0.1", "1.5"])
def test_a_weight_outside_zero_to_one_is_refused(tiny_project: Project, weight: str) -> None:
    res = CliRunner().invoke(
        app, ["--project", str(tiny_project.root), "train", *FAST, "--distill-weight", weight]
    )
    assert res.exit_code != 0 and "--distill-weight" in res.output


def test_pool_text_is_labelled_by_the_teachers(tiny_project: Project, tiny_bert: Path) -> None:
    """Text without gold gets the teachers' most probable tags as its hard target."""
    from transformers import AutoTokenizer

    from workbench.model.train import build_examples

    conn = tiny_project.connect()
    try:
        docs = [s.document for s in iter_documents(conn, splits=["dev"])]
    finally:
        conn.close()
    rng = np.random.default_rng(0)
    soft = [rng.dirichlet(np.ones(len(TAGS)), size=len(d.tokens)) for d in docs]
    label2id = {t: i for i, t in enumerate(TAGS)}
    tok = AutoTokenizer.from_pretrained(str(tiny_bert))
    examples = build_examples(docs, tok, label2id, 128, soft=soft, hard_from_soft=True)
    labels = [lab for e in examples for lab in e["labels"] if lab != -100]
    assert labels == [int(row.argmax()) for s in soft for row in s]
    assert len(set(labels)) > 1  # not the gold (mostly O), the teachers'


def test_a_distillation_run_reads_the_unannotated_pool(
    tiny_project: Project, tiny_tagger: Path, tmp_path: Path
) -> None:
    from workbench.ops.importing import import_files

    text = tmp_path / "pool.txt"
    text.write_text("Aspirin caused asthma in two patients .\nNo effect was seen .\n")
    import_files(tiny_project, [text], split="pool")
    res = CliRunner().invoke(
        app,
        ["--project", str(tiny_project.root), "train", *FAST, "--teacher", str(tiny_tagger)],
    )
    assert res.exit_code == 0, res.output
    assert "Distilling on 2 unannotated pool documents" in res.output
    conn = tiny_project.connect()
    try:  # the pool is still to annotate: nothing became gold
        assert {s.document.text for s in iter_documents(conn, statuses=["new"])} >= {
            "Aspirin caused asthma in two patients .",
            "No effect was seen .",
        }
    finally:
        conn.close()
