"""The word tokenizer: splits the way the BC5CDR tokens are split.

Runs of letters and digits form one token; every other non-space character
is a token of its own ("H2-receptor" -> "H2", "-", "receptor").
"""

from __future__ import annotations

import re

from workbench.core.document import Token

_WORD = re.compile(r"[^\W_]+|\S")


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end()) for m in _WORD.finditer(text)]
