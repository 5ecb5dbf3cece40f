"""Which documents trained a model, as hashes of their texts kept beside its weights: a round
that goes on from a model must not be judged on dev documents that trained it, whether they
came into dev by `workbench split`, a re-import or a small project's held-out share.

Texts, not database ids: a re-import (`import --replace`) gives the same documents new ids,
and a text seen twice is one document to a model."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from workbench.project import Project
from workbench.store.documents import document_texts

TRAINED_ON = "workbench_trained_on.txt"  # in a model directory: one text key a line
DEV_FRACTION = 0.1  # held out of train for dev when a project has no dev split


def text_key(text: str) -> str:
    # blake2b: its share under a tenth is a tenth (crc32 of consecutive ids held out 25 of 400)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _share(key: str) -> float:
    return int(key, 16) / 2**64


def held_out_for_dev(keys: Sequence[str], fraction: float = DEV_FRACTION) -> set[str]:
    """The texts a project without a dev split chooses its models on: each text's own hash
    decides, so the set only grows as documents are accepted (a shuffle drawn again each
    round put 39 of 55 documents that trained the active model into the next dev)."""
    distinct = set(keys)
    held = {k for k in distinct if _share(k) < fraction}
    if not held and distinct:  # a small project: its text nearest the cut
        held = {min(distinct, key=_share)}
    if len(held) == len(distinct) > 1:  # never all of them: something must train
        held.discard(max(held, key=_share))
    return held


def write_trained_on(model_dir: Path, keys: Iterable[str]) -> None:
    (model_dir / TRAINED_ON).write_text("".join(f"{k}\n" for k in sorted(set(keys))), "utf-8")


def read_trained_on(model_dir: Path) -> set[str] | None:
    """None where the model does not say (made before models did, or grown from one)."""
    try:
        return set((model_dir / TRAINED_ON).read_text("utf-8").split())
    except (OSError, UnicodeDecodeError):
        return None


def judging_keys(project: Project) -> set[str]:
    """The texts a round would choose and score its model on and not train on: the dev
    split's gold (less a text the training set has too, such as "RESULTS ." in train and dev
    alike, which trains a model from the base as much), or without a dev split the share of
    the accepted documents held out for dev."""
    conn = project.connect()
    try:
        dev = document_texts(conn, splits=["dev"], statuses=["accepted"])
        texts = document_texts(conn, splits=["train", "pool"], statuses=["accepted"])
    finally:
        conn.close()
    train = [text_key(t) for t in texts]
    if dev:
        return {text_key(t) for t in dev} - set(train)
    return held_out_for_dev(train)
