"""The annotate screen's rounds: the dashboard polled from the database once a second, and
`R`, a retrain round run as a child process that the dashboard follows."""

from __future__ import annotations

from textual import work
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from workbench.ops.status import DashboardData, DashboardReader
from workbench.project import Project
from workbench.session.background import run_logged
from workbench.session.prefetch import Prefetcher
from workbench.session.state import Session
from workbench.session.writer import RevisionWriter
from workbench.tui.messages import DashboardLoaded, RetrainEnded
from workbench.tui.screens.error import ErrorScreen
from workbench.tui.widgets.dashboard import Dashboard


class Rounds(Screen[None]):
    """The base of `AnnotateScreen`, which sets this state up and draws the document."""

    project: Project
    session: Session
    writer: RevisionWriter
    prefetcher: Prefetcher
    dashboard_reader: DashboardReader
    dashboard_data: DashboardData | None
    retrain_command: list[str]
    retrain_running: bool
    _dashboard_failed: bool

    def show_document(self) -> None:
        raise NotImplementedError

    def refresh_status(self) -> None:
        raise NotImplementedError

    # -- the dashboard and retrain rounds ----------------------------------------

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def load_dashboard(self) -> None:
        self.post_message(DashboardLoaded(self.dashboard_reader.read()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed dashboard read is shown once (it is retried every second), not raised."""
        if event.worker.group != "dashboard" or event.state != WorkerState.ERROR:
            return
        if not self._dashboard_failed:
            self._dashboard_failed = True
            self.app.push_screen(ErrorScreen(f"cannot read the rounds: {event.worker.error}"))

    def on_dashboard_loaded(self, msg: DashboardLoaded) -> None:
        self._dashboard_failed = False
        old = self.dashboard_data
        self.dashboard_data = msg.data
        if old is not None and msg.data.active_id != old.active_id:
            # a round promoted a new model: suggest with it and follow its queue order
            self.prefetcher.reload_model()
            self.session.reorder()
            self.show_document()
            self.notify(f"model {msg.data.active_id} is now active", timeout=4)
        elif old is not None and _finished_rounds(old) != _finished_rounds(msg.data):
            self.session.reorder()
            self.show_document()
        dash = self.query_one("#dashboard", Dashboard)
        if dash.display and (old is None or old != msg.data):
            dash.show(msg.data)
        self.refresh_status()

    def action_retrain(self) -> None:
        running = self.dashboard_data.running if self.dashboard_data else None
        if self.retrain_running or running is not None:
            self.notify("a round is already running", timeout=3)
            return
        self.retrain_running = True
        dash = self.query_one("#dashboard", Dashboard)
        dash.display = True
        if self.dashboard_data is not None:
            dash.show(self.dashboard_data)
        self.writer.flush()  # the round trains on everything accepted so far
        self.run_retrain()
        self.refresh_status()

    @work(exclusive=True, group="retrain")
    async def run_retrain(self) -> None:
        code, last = await run_logged(self.retrain_command, self.project.root / "retrain.log")
        self.post_message(RetrainEnded(code, last))

    def on_retrain_ended(self, msg: RetrainEnded) -> None:
        self.retrain_running = False
        self.load_dashboard()
        if msg.returncode != 0:
            self.app.push_screen(ErrorScreen(f"retrain failed: {msg.last_line}"))
        else:
            self.notify("retrain round finished", timeout=4)


def _finished_rounds(data: DashboardData) -> int:
    return sum(1 for r in data.rounds if r.status == "done")
