"""A project without a dev split holds out the same texts every round: a round that goes on
from the active model must not be judged on documents that trained it."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import BC5CDR
from tests.model.conftest import _slice_conll
from workbench.active.corpus import load_corpus
from workbench.active.trained_on import held_out_for_dev, text_key
from workbench.ops.importing import import_files
from workbench.project import init_project

texts = st.lists(st.text(min_size=1, max_size=40), min_size=10, max_size=300, unique=True)


@given(texts, texts)
def test_a_document_that_trained_never_joins_dev_later(first: list[str], more: list[str]) -> None:
    keys = [text_key(t) for t in first]
    later = keys + [text_key(t) for t in more]
    held, held_later = held_out_for_dev(keys, 0.1), held_out_for_dev(later, 0.1)
    trained = set(keys) - held
    assert not trained & held_later
    assert held and held < set(keys)  # something to choose on, something to train on


def test_about_a_tenth_is_held_out() -> None:
    # texts alike but for a number: 3 standard deviations either side
    for n in (400, 1000, 5000):
        held = held_out_for_dev([text_key(f"Sentence {i} .") for i in range(n)], 0.1)
        assert abs(len(held) - n / 10) <= 3 * (n * 0.1 * 0.9) ** 0.5, (n, len(held))


def test_the_held_out_dev_keeps_its_documents_as_more_are_accepted(tmp_path: Path) -> None:
    project = init_project(tmp_path / "p", "Chemical,Disease", base_model="bundled")
    import_files(
        project, [_slice_conll(BC5CDR / "train.tsv", tmp_path / "a.tsv", 200)], split="train"
    )
    # no dev split: dev comes out of train
    before = load_corpus(project)
    assert before.dev_from_train and before.dev
    more = tmp_path / "more.tsv"
    blocks = (BC5CDR / "train.tsv").read_text("utf-8").split("\n\n")
    more.write_text("\n\n".join(blocks[200:400]) + "\n\n", encoding="utf-8")
    import_files(project, [more], split="train")
    after = load_corpus(project)
    texts = [{d.text for d in split} for split in (before.train, before.dev, after.dev)]
    trained, dev, dev_after = texts
    assert not trained & dev_after  # nothing that trained the last round judges the next
    assert dev <= dev_after  # the same documents, and some of the new ones
    assert len(after.train) + len(after.dev) == 400
