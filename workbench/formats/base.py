"""What every format shares: strict UTF-8 decoding with a line number, label checks."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from workbench.errors import EmptyInputError, FormatError


def read_text(path: Path) -> str:
    """The file's text, with a located error for bad bytes and for an empty file."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise FormatError("is a directory (name the files, or use --format hf)", path) from None
    except OSError as exc:
        raise FormatError(f"cannot read: {exc.strerror}", path) from None
    return decode_text(data, path)


def decode_text(data: bytes, source: str | Path, what: str = "file") -> str:
    """Strict UTF-8 (a BOM is dropped); binary, undecodable and empty input are located errors.

    ``what`` names the input in the messages: "file", or "input" for standard input.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise FormatError(f"holds a NUL byte: this looks like a binary {what}", source, line)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"convert the {what} to UTF-8",
            source,
            line,
        ) from None
    if not text.strip():
        raise EmptyInputError(f"the {what} is empty", source)
    return text


def lines_of(text: str) -> list[str]:
    """Lines without their ending (\\n or \\r\\n); line i is at number i + 1."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def check_label(label: str, labels: Collection[str] | None, path: Path, line: int | None) -> None:
    if labels is not None and label not in labels:
        raise FormatError(
            f"label {label!r} is not one of the project's labels ({', '.join(labels)})",
            path,
            line,
        )
