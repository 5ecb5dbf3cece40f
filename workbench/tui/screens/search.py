"""`/`: find text in the open document (the match selected, ready for a label key), or,
when it is not there, list the documents that hold it; `ctrl+f` asks for text to list
across the corpus even when the open document holds it."""

from __future__ import annotations

from workbench.tui.screens.prompt import PromptScreen


class SearchScreen(PromptScreen):
    BOX = "search"
    TITLE_TEXT = "Find"
    PLACEHOLDER = "text (case ignored)"
    HINT = (
        "enter finds the next occurrence (else lists the documents that hold it); escape goes back"
    )


class CorpusSearchScreen(SearchScreen):
    """The same question for `ctrl+f`: its answer always opens the results list."""

    TITLE_TEXT = "Find in the corpus"
    HINT = "enter lists the documents that hold it; escape goes back"
