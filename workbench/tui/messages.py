"""What the annotate screen's threads and workers report back, named for the event."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from workbench.core import Span
from workbench.ops.status import DashboardData


@dataclass
class SuggestionsReady(Message):
    document_id: int
    spans: list[Span]
    origin: str


@dataclass
class DashboardLoaded(Message):
    data: DashboardData


@dataclass
class SaveFailed(Message):
    error: str


@dataclass
class RetrainEnded(Message):
    returncode: int
    last_line: str


@dataclass
class SaveConflict(Message):
    document_id: int
    error: str


@dataclass
class TokenClicked(Message):
    token: int
    extend: bool  # shift held: grow the selection to it


@dataclass
class EntityClicked(Message):
    index: int  # in the draft's entities, as the panel lists them
