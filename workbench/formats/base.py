"""What every format shares: a named byte source read as numbered, strictly decoded lines
(plain or gzip, a file, a byte range of one, or standard input), the options of a read, and
label checks.

Readers stream: they yield documents as they parse them, so `tag` runs in constant memory
over inputs of any size. A bad record raises a `FormatError` naming the source and the
line; with ``ReadOptions.on_error`` set, it is reported there instead and reading goes on
with the next record (`tag --skip-bad`).
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from workbench.errors import EmptyInputError, FormatError

STDIN = "<stdin>"
GZIP_MAGIC = b"\x1f\x8b"
# One line of input held in memory at most: `import /dev/zero` stops here with one line
# instead of reading until memory runs out. A full-text article in one JSON line is ~1 MB.
MAX_LINE_BYTES = 32 * 1024 * 1024

ErrorSink = Callable[[FormatError], None]


@dataclass(frozen=True)
class ReadOptions:
    labels: Collection[str] | None = None  # the project's labels: others are refused
    doc_per_file: bool = False  # text: the whole file is one document
    on_error: ErrorSink | None = None  # None: a bad record raises; else report and go on
    # Split the tokenizer's tokens where a source entity starts or ends inside one at a
    # plausible break (import). `tag` turns it off: no input entity may shape its tokens.
    align_tokens: bool = True

    def fail(self, error: FormatError) -> None:
        """A bad record: raise it, or report it and let the reader skip to the next one."""
        if self.on_error is None:
            raise error
        self.on_error(error)


@dataclass(frozen=True)
class Source:
    """Bytes to read, with a name for messages. ``start``/``end`` select a byte range that
    begins on a record boundary (a shard of a large file); ``first_line`` numbers its lines."""

    name: str
    path: Path | None = None
    start: int = 0
    end: int | None = None
    first_line: int = 1

    @classmethod
    def of(cls, path: Path | str) -> Source:
        if str(path) == "-":
            return cls(STDIN)
        return cls(str(path), Path(path))

    @property
    def stem(self) -> str:
        if self.path is None:
            return self.name
        name = self.path.name
        for suffix in (".gz",):
            name = name.removesuffix(suffix)
        return name.rsplit(".", 1)[0] if "." in name else name

    def open(self) -> BinaryIO:
        """The (decompressed) bytes, positioned at ``start``."""
        if self.path is None:
            raw: BinaryIO = sys.stdin.buffer
        else:
            try:
                raw = self.path.open("rb")
            except IsADirectoryError:
                raise FormatError("is a directory (name the files in it)", self.name) from None
            except OSError as exc:
                raise FormatError(f"cannot read: {exc.strerror}", self.name) from None
        stream = _maybe_gunzip(raw, self.path)
        if self.start:
            if stream is raw and raw.seekable():
                raw.seek(self.start)
            else:
                _skip(stream, self.start)
        return stream

    def lines(self, what: str = "file", on_error: ErrorSink | None = None) -> Iterator[Line]:
        """Numbered lines without their ending, decoded as strict UTF-8 (a BOM is dropped).

        Binary, undecodable and over-long lines are located errors; with ``on_error`` an
        undecodable line is reported and skipped."""
        fh = self.open()
        try:
            yield from _lines(fh, self, what, on_error)
        finally:
            if fh is not sys.stdin.buffer:
                fh.close()

    def text(self, what: str = "file") -> str:
        """The whole input as one string (`--doc-per-file`, formats that are not line-based)."""
        fh = self.open()
        try:
            limit = None if self.end is None else self.end - self.start
            data = fh.read() if limit is None else fh.read(limit)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise FormatError(f"cannot read: {exc}", self.name) from None
        finally:
            if fh is not sys.stdin.buffer:
                fh.close()
        return decode_text(data, self.name, what)


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    offset: int  # byte offset of the line's start in the (decompressed) input


def _maybe_gunzip(raw: BinaryIO, path: Path | None) -> BinaryIO:
    """Gzip is recognised by its magic bytes, whatever the name; a file opened here is
    closed with the stream returned."""
    buffered: Any = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    if buffered.peek(2)[:2] != GZIP_MAGIC:
        return cast(BinaryIO, buffered)
    if path is None:
        return cast(BinaryIO, gzip.GzipFile(fileobj=buffered, mode="rb"))
    buffered.close()
    return cast(BinaryIO, gzip.open(path, "rb"))


def _skip(stream: BinaryIO, n: int) -> None:
    while n > 0:
        chunk = stream.read(min(n, 1 << 20))
        if not chunk:
            return
        n -= len(chunk)


def _lines(fh: BinaryIO, src: Source, what: str, on_error: ErrorSink | None) -> Iterator[Line]:
    try:
        head = fh.peek(8192) if hasattr(fh, "peek") else b""
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise FormatError(f"cannot read: {exc}", src.name, src.first_line) from None
    nul = head.find(b"\x00")
    if nul >= 0:  # as git does: a NUL near the start means binary, whatever else is wrong
        line = src.first_line + head.count(b"\n", 0, nul)
        raise FormatError(f"holds a NUL byte: this looks like a binary {what}", src.name, line)
    number = src.first_line - 1
    offset = src.start
    budget = None if src.end is None else src.end - src.start
    while budget is None or budget > 0:
        try:
            raw = fh.readline(MAX_LINE_BYTES + 1)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise FormatError(f"cannot read: {exc}", src.name, number + 1) from None
        if not raw:
            return
        number += 1
        start, offset = offset, offset + len(raw)
        if budget is not None:
            budget -= len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise FormatError(
                f"a line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB: this is not "
                f"line-based text (a binary {what}, or a device?)",
                src.name,
                number,
            )
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = _decode_line(raw, what)
        except ValueError as exc:
            error = FormatError(str(exc), src.name, number)
            if on_error is None:
                raise error from None
            on_error(error)
            continue
        yield Line(number, text, start)


def _decode_line(raw: bytes, what: str) -> str:
    if b"\x00" in raw:
        raise ValueError(f"holds a NUL byte: this looks like a binary {what}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
            f"convert the {what} to UTF-8"
        ) from None
    if text.endswith("\n"):
        text = text[:-1]
    return text[:-1] if text.endswith("\r") else text


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


def read_text(path: Path) -> str:
    """A whole file's text, with a located error for bad bytes and for an empty file."""
    return Source.of(path).text()


def lines_of(text: str) -> list[str]:
    """Lines without their ending (\\n or \\r\\n); line i is at number i + 1."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def check_label(
    label: str, labels: Collection[str] | None, path: str | Path, line: int | None
) -> None:
    if labels is not None and label not in labels:
        raise FormatError(
            f"label {label!r} is not one of the project's labels ({', '.join(labels)})",
            path,
            line,
        )


def no_surrogates(text: str, where: str) -> None:
    """JSON may spell lone surrogates (\\ud800); no UTF-8 file or SQLite text can hold them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{where} holds a lone surrogate (U+{ord(text[exc.start]):04X}) at {exc.start}; "
            "it is not a character"
        ) from None
