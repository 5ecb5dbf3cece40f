"""Entity-level scores equal seqeval's on any tag sequences, valid BIO or not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report

from workbench.model.evaluate import chunks, entity_scores

TAGS = ["O", "B-Chemical", "I-Chemical", "B-Disease", "I-Disease"]
sentences = st.lists(st.lists(st.sampled_from(TAGS), max_size=12), min_size=1, max_size=6)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # seqeval's averages of no entities
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_scores_equal_seqeval(data: st.DataObject) -> None:
    y_true = data.draw(sentences)
    y_pred = [
        data.draw(st.lists(st.sampled_from(TAGS), min_size=len(s), max_size=len(s))) for s in y_true
    ]
    micro, per_label = entity_scores(y_true, y_pred)
    report = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    expected = {k: v for k, v in report.items() if not k.endswith(" avg")}
    assert set(per_label) == set(expected)
    for label, v in expected.items():
        got = per_label[label]
        assert got["support"] == v["support"]
        for ours, theirs in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            assert got[ours] == pytest.approx(v[theirs])
    theirs_micro = report.get("micro avg")
    if theirs_micro is not None:
        assert micro["f1"] == pytest.approx(theirs_micro["f1-score"])
        assert micro["precision"] == pytest.approx(theirs_micro["precision"])
        assert micro["recall"] == pytest.approx(theirs_micro["recall"])
        assert micro["support"] == theirs_micro["support"]


def test_an_inside_tag_after_outside_or_another_type_starts_an_entity() -> None:
    tags = [["I-Chemical", "I-Chemical", "O", "B-Disease", "I-Chemical", "B-Disease"]]
    assert chunks(tags) == {
        (0, "Chemical", 0, 1),
        (0, "Disease", 3, 3),
        (0, "Chemical", 4, 4),
        (0, "Disease", 5, 5),
    }
