"""An entity is a character range plus a label; tokens are derived, never stored in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str
    score: float | None = None
    # Format-specific payload kept verbatim (PubTator ids and extra fields, jsonl extras).
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"span [{self.start}, {self.end}) is empty or negative")
        if not self.label:
            raise ValueError("span has an empty label")

    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)
