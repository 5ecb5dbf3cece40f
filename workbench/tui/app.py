"""`workbench annotate`: the Textual app around the annotate screen."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from workbench.project import Project
from workbench.session.state import Review
from workbench.tui.screens.adjudicate import AdjudicateScreen
from workbench.tui.screens.annotate import AnnotateScreen
from workbench.tui.screens.help import COMMANDS


class WorkbenchApp(App[None]):
    CSS_PATH = Path(__file__).with_name("workbench.tcss")
    TITLE = "workbench"

    def __init__(
        self,
        project: Project,
        retrain_command: list[str] | None = None,
        annotator: str | None = None,
        document: str | None = None,
        review: Review | None = None,
        adjudicate: bool = False,
    ):
        super().__init__()
        self.adjudicate = adjudicate
        self.project = project
        self.retrain_command = retrain_command
        self.annotator = annotator
        self.document = document
        self.review = review

    def on_mount(self) -> None:
        if self.adjudicate:
            self.push_screen(AdjudicateScreen(self.project, self.annotator))
            return
        self.push_screen(
            AnnotateScreen(
                self.project, self.retrain_command, self.annotator, self.document, self.review
            )
        )

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette (ctrl+p): the annotate screen's actions by name, then Textual's own."""
        if isinstance(screen, AnnotateScreen):
            for title, what, action in COMMANDS:

                async def run(action: str = action) -> None:
                    await screen.run_action(action)

                yield SystemCommand(title, what, run)
        yield from super().get_system_commands(screen)

    @property
    def annotate(self) -> AnnotateScreen:
        screen = self.screen_stack[1] if len(self.screen_stack) > 1 else self.screen
        assert isinstance(screen, AnnotateScreen)
        return screen

    def on_unmount(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, AnnotateScreen | AdjudicateScreen):
                screen.close()
