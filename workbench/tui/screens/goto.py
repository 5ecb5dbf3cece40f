"""`g`: open a document by its id (a PMID) or its number in the project."""

from __future__ import annotations

from workbench.tui.screens.prompt import PromptScreen


class GoToScreen(PromptScreen):
    BOX = "goto"
    TITLE_TEXT = "Go to document"
    PLACEHOLDER = "its id (a PMID), or #N for the project's number"
    HINT = "enter opens it; escape goes back"
