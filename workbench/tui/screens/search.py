"""`/`: find text in the open document (the match selected, ready for a label key), and
say which other documents hold it (`g` opens one)."""

from __future__ import annotations

from workbench.tui.screens.prompt import PromptScreen


class SearchScreen(PromptScreen):
    BOX = "search"
    TITLE_TEXT = "Find"
    PLACEHOLDER = "text (case ignored)"
    HINT = "enter finds the next occurrence; escape goes back"
