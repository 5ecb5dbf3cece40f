"""BIO tags <-> character spans.

An ``I-`` after ``O`` or after another type starts a new entity (the
conlleval convention), so any tag sequence maps to spans and the spans of
a valid sequence map back to the same tags.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from workbench.core.document import Token
from workbench.core.spans import Span


class BioError(ValueError):
    """A tag that is not O, B-<label> or I-<label>."""


def parse_tag(tag: str) -> tuple[str, str | None]:
    """Return (prefix, label): ("O", None), ("B", "Chemical") or ("I", "Chemical")."""
    if tag == "O":
        return "O", None
    prefix, sep, label = tag.partition("-")
    if sep and prefix in ("B", "I") and label:
        return prefix, label
    raise BioError(f"tag {tag!r} is not in the BIO scheme (O, B-<label>, I-<label>)")


def tag_names(labels: Sequence[str]) -> list[str]:
    """The tag inventory of a label set, in a stable order: O, B-L1, I-L1, B-L2, ..."""
    names = ["O"]
    for label in labels:
        names += [f"B-{label}", f"I-{label}"]
    return names


def bio_chunks(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(label, first, last) token indices of the entities in a tag sequence, read as
    conlleval and seqeval read them: an I-x that does not continue an x starts one."""
    chunks: list[tuple[str, int, int]] = []
    current: str | None = None
    start = 0
    for i, tag in enumerate(tags):
        prefix, label = parse_tag(tag)
        if prefix == "I" and label == current:
            continue
        if current is not None:
            chunks.append((current, start, i - 1))
            current = None
        if label is not None:  # B-x, or an I-x that starts a new entity
            current, start = label, i
    if current is not None:
        chunks.append((current, start, len(tags) - 1))
    return chunks


def bio_to_spans(tokens: Sequence[Token], tags: Sequence[str]) -> list[Span]:
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags")
    return [
        Span(tokens[first].start, tokens[last].end, label)
        for label, first, last in bio_chunks(tags)
    ]


def spans_to_bio(tokens: Sequence[Token], spans: Sequence[Span]) -> tuple[list[str], int]:
    """Tags for the tokens, and how many spans could not be written.

    A span that does not start and end on token boundaries is widened to the
    tokens it overlaps; a span that overlaps an earlier one (nested or crossing
    mentions, which BIO cannot express) is dropped and counted.
    """
    tags = ["O"] * len(tokens)
    starts = [t.start for t in tokens]
    ends = [t.end for t in tokens]
    dropped = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        # Tokens overlapping [start, end): first whose end > start, up to last whose start < end.
        first, stop = bisect_right(ends, span.start), bisect_left(starts, span.end)
        if first >= stop or any(tags[i] != "O" for i in range(first, stop)):
            dropped += 1
            continue
        tags[first] = f"B-{span.label}"
        for i in range(first + 1, stop):
            tags[i] = f"I-{span.label}"
    return tags, dropped
