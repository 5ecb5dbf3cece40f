"""Scoring predictions against gold: seqeval, token accuracy and an error breakdown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.core import Document, Span, spans_to_bio

MAX_EXAMPLES = 5


@dataclass
class ErrorBreakdown:
    type_confusions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, pred)
    boundary: int = 0
    boundary_and_type: int = 0
    spurious: int = 0
    missed: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add_example(self, kind: str, text: str) -> None:
        bucket = self.examples.setdefault(kind, [])
        if len(bucket) < MAX_EXAMPLES:
            bucket.append(text)

    def as_dict(self) -> dict[str, Any]:
        return {
            "type_confusions": {
                f"{g} -> {p}": n for (g, p), n in self.type_confusions.most_common()
            },
            "boundary": self.boundary,
            "boundary_and_type": self.boundary_and_type,
            "spurious": self.spurious,
            "missed": self.missed,
            "examples": self.examples,
        }


def _show(doc: Document, span: Span, label: str | None = None) -> str:
    a, b = span.start, span.end
    left = doc.text[max(0, a - 30) : a].replace("\n", " ")
    right = doc.text[b : b + 30].replace("\n", " ")
    return f"…{left}[{doc.text[a:b]}]{right}… ({label or span.label})"


def error_breakdown(golds: Sequence[Document], preds: Sequence[Sequence[Span]]) -> ErrorBreakdown:
    out = ErrorBreakdown()
    for doc, pred in zip(golds, preds, strict=True):
        gold_keys = {s.key() for s in doc.spans}
        pred_keys = {s.key() for s in pred}
        for p in pred:
            if p.key() in gold_keys:
                continue
            same_range = [g for g in doc.spans if (g.start, g.end) == (p.start, p.end)]
            overlapping = [g for g in doc.spans if g.start < p.end and p.start < g.end]
            if same_range:
                out.type_confusions[(same_range[0].label, p.label)] += 1
                out.add_example(
                    "type", _show(doc, p, f"gold {same_range[0].label}, predicted {p.label}")
                )
            elif any(g.label == p.label for g in overlapping):
                g = next(g for g in overlapping if g.label == p.label)
                out.boundary += 1
                out.add_example(
                    "boundary", f"{_show(doc, p)} vs gold [{doc.text[g.start : g.end]}]"
                )
            elif overlapping:
                out.boundary_and_type += 1
                out.add_example("boundary_and_type", _show(doc, p))
            else:
                out.spurious += 1
                out.add_example("spurious", _show(doc, p))
        for g in doc.spans:
            if g.key() in pred_keys:
                continue
            if not any(p.start < g.end and g.start < p.end for p in pred):
                out.missed += 1
                out.add_example("missed", _show(doc, g))
    return out


def score(golds: Sequence[Document], preds: Sequence[Sequence[Span]]) -> dict[str, Any]:
    """Entity-level seqeval (micro and per label), token accuracy, and the error breakdown."""
    from seqeval.metrics import classification_report

    y_true, y_pred = [], []
    correct = total = 0
    for doc, pred in zip(golds, preds, strict=True):
        gold_tags, _ = spans_to_bio(doc.tokens, doc.spans)
        pred_tags, _ = spans_to_bio(doc.tokens, pred)
        y_true.append(gold_tags)
        y_pred.append(pred_tags)
        correct += sum(a == b for a, b in zip(gold_tags, pred_tags, strict=True))
        total += len(gold_tags)
    report = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    per_label = {
        label: {
            "precision": float(v["precision"]),
            "recall": float(v["recall"]),
            "f1": float(v["f1-score"]),
            "support": int(v["support"]),
        }
        for label, v in report.items()
        if not label.endswith(" avg")
    }
    micro = report.get(
        "micro avg", {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0}
    )
    return {
        "precision": float(micro["precision"]),
        "recall": float(micro["recall"]),
        "f1": float(micro["f1-score"]),
        "support": int(micro["support"]),
        "accuracy": correct / total if total else 0.0,
        "per_label": per_label,
        "documents": len(golds),
        "errors": error_breakdown(golds, preds).as_dict(),
    }
