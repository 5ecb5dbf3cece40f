"""The Hugging Face `datasets` bridge: a DatasetDict of tokens + ClassLabel ner_tags.

Project splits map to the names the Hub uses: dev <-> validation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from workbench.core import BioError, Document, Token, bio_to_spans, parse_tag, spans_to_bio
from workbench.core.bio import tag_names
from workbench.errors import FormatError
from workbench.formats.base import ReadOptions
from workbench.formats.registry import Format

TO_HF = {"train": "train", "dev": "validation", "test": "test", "pool": "pool"}
FROM_HF = {
    "train": "train",
    "validation": "dev",
    "dev": "dev",
    "test": "test",
    "pool": "pool",
    "unlabeled": "pool",
    "unlabelled": "pool",
}


def is_dataset_dir(path: Path) -> bool:
    return path.is_dir() and (
        (path / "dataset_dict.json").is_file() or (path / "dataset_info.json").is_file()
    )


def write(docs_by_split: Mapping[str, Sequence[Document]], labels: Sequence[str], out: Path) -> int:
    """Save a DatasetDict with ``save_to_disk``; return how many spans BIO could not express."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value
    from datasets import Sequence as HFSequence

    names = tag_names(labels)
    features = Features(
        {
            "id": Value("string"),
            "tokens": HFSequence(Value("string")),
            "ner_tags": HFSequence(ClassLabel(names=names)),
        }
    )
    index = {n: i for i, n in enumerate(names)}
    splits: dict[str, Any] = {}
    dropped = 0
    for split, docs in docs_by_split.items():
        rows: dict[str, list[Any]] = {"id": [], "tokens": [], "ner_tags": []}
        for n, doc in enumerate(docs):
            tags, lost = spans_to_bio(doc.tokens, doc.spans)
            dropped += lost
            rows["id"].append(doc.external_id or f"{split}-{n}")
            rows["tokens"].append(doc.token_texts())
            unknown = sorted({t for t in tags if t not in index})
            if unknown:
                raise FormatError(
                    f"document {doc.external_id or n} has tags {', '.join(unknown)} outside the "
                    f"project's labels ({', '.join(labels)})",
                    out,
                )
            rows["ner_tags"].append([index[t] for t in tags])
        splits[TO_HF[split]] = Dataset.from_dict(rows, features=features)
    DatasetDict(splits).save_to_disk(str(out))
    return dropped


def read(path: Path, *, labels: Collection[str] | None = None) -> dict[str, list[Document]]:
    """Documents per project split, from a directory written by ``save_to_disk``."""
    from datasets import Dataset, DatasetDict, load_from_disk

    try:
        loaded = load_from_disk(str(path))
    except Exception as exc:  # datasets raises many types for a broken directory
        raise FormatError(f"not a Hugging Face dataset directory ({exc})", path) from None
    parts: dict[str, Dataset] = (
        dict(loaded.items()) if isinstance(loaded, DatasetDict) else {"pool": loaded}
    )
    out: dict[str, list[Document]] = {}
    for name, ds in parts.items():
        split = FROM_HF.get(name)
        if split is None:
            raise FormatError(
                f"split {name!r} has no project split (use train, validation, test or pool)", path
            )
        if split in out:
            raise FormatError(f"two splits of the dataset map to the project's {split}", path)
        out[split] = _documents(ds, name, path, labels)
    return out


def _documents(ds: Any, name: str, path: Path, labels: Collection[str] | None) -> list[Document]:
    if "tokens" not in ds.column_names:
        raise FormatError(f"split {name!r} has no 'tokens' column", path)
    tag_col = next((c for c in ("ner_tags", "tags", "labels") if c in ds.column_names), None)
    names: list[str] | None = None
    if tag_col is not None:
        feature = ds.features[tag_col]
        inner = getattr(feature, "feature", None)
        names = getattr(inner, "names", None)
    docs = []
    for row_number, row in enumerate(ds):
        where = f"{name}[{row_number}]"
        toks: list[str] = row["tokens"]
        if not toks:
            continue
        if any(not t or any(c.isspace() for c in t) for t in toks):
            raise FormatError(f"{where}: an empty token, or one holding white space", path)
        text, tokens, pos = "", [], 0
        for i, t in enumerate(toks):
            if i:
                text += " "
                pos += 1
            text += t
            tokens.append(Token(pos, pos + len(t)))
            pos += len(t)
        spans = []
        if tag_col is not None:
            raw = row[tag_col]
            if len(raw) != len(toks):
                raise FormatError(f"{where}: {len(toks)} tokens but {len(raw)} tags", path)
            if names is not None and any(
                isinstance(t, int) and not 0 <= t < len(names) for t in raw
            ):
                raise FormatError(f"{where}: a tag id outside the ClassLabel names", path)
            tags = [names[t] if names is not None and isinstance(t, int) else str(t) for t in raw]
            try:
                for tag in tags:
                    _, label = parse_tag(tag)
                    if label is not None and labels is not None and label not in labels:
                        raise FormatError(
                            f"{where}: label {label!r} is not one of the project's labels "
                            f"({', '.join(labels)})",
                            path,
                        )
                spans = bio_to_spans(tokens, tags)
            except BioError as exc:
                raise FormatError(f"{where}: {exc}", path) from None
        ext = row.get("id")
        docs.append(
            Document(
                text,
                tokens,
                spans,
                external_id=None if ext is None else str(ext),
                source=str(path),
                presplit=True,
            )
        )
    return docs


def read_dir(path: Path, opts: ReadOptions) -> dict[str, list[Document]]:
    return read(path, labels=opts.labels)


FORMAT = Format(
    name="hf",
    help="a Hugging Face dataset directory (save_to_disk): tokens + ner_tags, per split",
    read_dir=read_dir,
    write_dir=write,
    is_dir=is_dataset_dir,
)
