"""workbench: a keyboard-driven terminal workbench for biomedical NER."""

from __future__ import annotations

__version__ = "0.1.0"
