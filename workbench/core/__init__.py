"""Documents, spans, BIO <-> span conversion and the word tokenizer. No I/O."""

from __future__ import annotations

from workbench.core.bio import BioError, bio_to_spans, parse_tag, spans_to_bio, tag_names
from workbench.core.document import Document, Token
from workbench.core.spans import Span
from workbench.core.tokenize import tokenize

__all__ = [
    "BioError",
    "Document",
    "Span",
    "Token",
    "bio_to_spans",
    "parse_tag",
    "spans_to_bio",
    "tag_names",
    "tokenize",
]
