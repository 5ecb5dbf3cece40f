"""The annotate screen: correct the suggested entities of one document after another.

Keys (DESIGN.md, a contract) map onto `Session` and `Draft` methods; each edit
is handed to the revision writer at once. The model runs on the prefetch
thread, the dashboard is read by a thread worker and a retrain round is a
subprocess: nothing slow runs on this thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from workbench.core import Document, Span
from workbench.ops.status import DashboardData, DashboardReader
from workbench.ops.suggest import Suggester
from workbench.project import Project
from workbench.session.background import retrain_command as retrain_command_for
from workbench.session.draft import Draft
from workbench.session.prefetch import Prefetcher
from workbench.session.state import Review, Session
from workbench.session.writer import RevisionWriter, Save
from workbench.tui.messages import (
    SaveConflict,
    SaveFailed,
    SuggestionsReady,
)
from workbench.tui.screens.conflict import ConflictScreen
from workbench.tui.screens.error import ErrorScreen
from workbench.tui.screens.finding import Finding
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.labelling import Labelling
from workbench.tui.screens.rounds import Rounds
from workbench.tui.widgets.dashboard import Dashboard
from workbench.tui.widgets.document_view import DocumentView
from workbench.tui.widgets.entity_panel import EntityPanel
from workbench.tui.widgets.status_line import StatusLine

POLL_S = 1.0


class AnnotateScreen(Rounds, Finding, Labelling):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "token", show=False),
        Binding("right,l", "move(1)", "token", show=False),
        Binding("up,k", "line(-1)", "line", show=False),
        Binding("down,j", "line(1)", "line", show=False),
        Binding("shift+left,H", "extend(-1)", "select", show=False),
        Binding("shift+right,L", "extend(1)", "select", show=False),
        *[Binding(str(n), f"label({n})", "label", show=False) for n in range(1, 10)],
        Binding("x,delete", "delete", "del"),
        Binding("enter,a", "accept", "accept"),
        Binding("s", "skip", "skip"),
        Binding("n", "next_doc", "next"),
        Binding("p", "prev_doc", "prev", show=False),  # 80 columns: `?` lists it
        Binding("u,ctrl+z", "undo", "undo"),
        Binding("ctrl+y", "redo", "redo", show=False),
        Binding("tab", "next_entity(1)", "entity", show=False, priority=True),
        Binding("shift+tab", "next_entity(-1)", "entity", show=False, priority=True),
        Binding("g", "goto", "go to", show=False),
        Binding("slash", "search", "find", show=False),
        Binding("ctrl+f", "search_corpus", "find all", show=False),
        Binding("asterisk", "label_every", "label all", show=False),
        Binding("o", "overlap", "overlap", show=False),
        Binding("c", "concept", "concept", show=False),
        Binding("d", "dashboard", "dash"),
        Binding("R", "retrain", "retrain"),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit_app", "quit"),
    ]

    def __init__(
        self,
        project: Project,
        retrain_command: list[str] | None = None,
        annotator: str | None = None,
        first_document: str | None = None,
        review: Review | None = None,
    ):
        super().__init__()
        self.project = project
        self.retrain_command = retrain_command or retrain_command_for(project.root)
        self.colours = {lab.name: lab.colour for lab in project.config.labels}
        self.label_keys = [lab.name for lab in project.config.labels][:9]
        self.conn = project.connect()
        self.last_search = ""
        self.session = Session(project, self.conn, annotator, review)
        self.writer = RevisionWriter(project.db_path, self._save_failed, self._save_conflict)
        self.suggester = Suggester(project, device=project.config.device)
        self.session.concepts = lambda: self.suggester.concepts  # loaded by the prefetcher
        self.prefetcher = Prefetcher(project, self.suggester, self._suggested, self._suggest_failed)
        self.dashboard_data: DashboardData | None = None
        self.dashboard_reader = DashboardReader(project)
        self.first_document = first_document
        self._dashboard_failed = False
        self.retrain_running = False
        self._notice: str | None = None
        self.overlap_next = False  # `o` pressed: the next label key adds a second layer

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Vertical(id="body"):
            with Horizontal(id="main"):
                with Vertical(id="doc-pane"):
                    yield Static(id="notice")
                    yield DocumentView(id="doc")
                yield EntityPanel(id="entities")
            yield Dashboard(id="dashboard")
        yield Footer(show_command_palette=False)  # 80 columns: q quit stays; ? names ctrl+p

    def on_mount(self) -> None:
        self.query_one("#dashboard", Dashboard).display = False
        if not (self.first_document and self.open_document(self.first_document)):
            self.show_document()
        self.load_dashboard()
        self.set_interval(POLL_S, self.load_dashboard)

    # -- the open document -------------------------------------------------------

    @property
    def draft(self) -> Draft | None:
        return None if self.session.empty else self.session.draft()

    def show_document(self) -> None:
        s = self.session
        notice = self.query_one("#notice", Static)
        view = self.query_one("#doc", DocumentView)
        draft = self.draft
        if draft is not None and draft.pristine:
            cached = self.prefetcher.cache.get(draft.doc_id)
            if cached is not None:
                draft.suggest(*cached)
        message = s.notice()
        if message != self._notice:  # most openings change nothing here: no relayout
            self._notice = message
            notice.update(message)
            notice.display = bool(message)
        view.show(None if s.empty else draft, self.colours)
        self.refresh_panel()
        self.refresh_status()
        if not s.empty:
            # after this frame is painted: the model's thread competes with it for the GIL
            self.call_after_refresh(self.prefetcher.want, s.upcoming())

    def refresh_panel(self) -> None:
        draft = self.draft
        note = ""
        if draft is not None:
            if draft.pristine and draft.doc_id not in self.prefetcher.cache:
                note = "suggesting…"
            elif draft.suggested_by:
                note = draft.suggested_by  # lexicon or model:N
            blind = "own copy" if draft.line else ""  # double-annotated: the other's unseen
            note = " · ".join(x for x in (draft.status, blind, note) if x)  # fits 80 columns
        self.query_one("#entities", EntityPanel).show(draft, self.colours, note)

    def refresh_status(self) -> None:
        s = self.session
        data = self.dashboard_data
        model = "no model yet: lexicon"
        if data is not None and data.active_id is not None and data.active_metrics:
            f1 = data.active_metrics.get("f1")
            score = "trained on dev" if f1 is None else f"dev F1 {f1:.3f}"
            model = f"model {data.active_id} {score}"
        position = "empty queue"
        if not s.empty:
            position = f"doc {s.pos + 1}/{len(s.order)} · {s.remaining()} left"
        running = data.running if data is not None else None
        note = ""
        if running is not None:
            note = f"round {running.id} {running.phase} {running.step}/{running.total}"
        elif self.retrain_running:
            note = "retrain starting…"
        self.query_one("#status", StatusLine).show(
            self.project.root.name, model, position, s.eta_seconds() if not s.empty else None, note
        )

    def repaint(self) -> None:
        """After an edit or a cursor move: the document and the panel, nothing else."""
        view = self.query_one("#doc", DocumentView)
        view.scroll_to_cursor()
        view.changed()
        self.refresh_panel()

    # -- keys: cursor and selection -------------------------------------------

    def action_move(self, delta: int) -> None:
        if (d := self.draft) is not None:
            d.move_to(d.cursor + delta)
            self.repaint()

    def action_extend(self, delta: int) -> None:
        if (d := self.draft) is not None:
            d.move_to(d.cursor + delta, extend=True)
            self.repaint()

    def action_next_entity(self, delta: int) -> None:
        if (d := self.draft) is not None and d.next_entity(delta):
            self.repaint()

    def action_line(self, delta: int) -> None:
        d = self.draft
        target = self.query_one("#doc", DocumentView).token_on_line(delta)
        if d is not None and target is not None:
            d.move_to(target)
            self.repaint()

    # -- keys: the document -------------------------------------------------------

    def action_accept(self) -> None:
        d = self.draft
        if d is None:
            return
        if self.session.finished:
            self.notify("the queue is done: nothing to accept", timeout=2)
            return
        if (save := self.session.close_document(d, "accepted")) is not None:
            self.writer.save(save)  # accepting it again would save the same revision
        self.suggester.learn(Document(d.doc.text, d.doc.tokens, d.spans()))
        if self.suggester.origin == "lexicon":
            self.prefetcher.forget()
        self.session.go_next_todo()
        self.show_document()

    def action_skip(self) -> None:
        d = self.draft
        if d is None or self.session.finished:
            return
        if (save := self.session.close_document(d, "skipped")) is not None:
            self.writer.save(save)
        self.session.go_next_todo()
        self.show_document()

    def action_next_doc(self) -> None:
        if self.session.go(1):
            self.show_document()

    def action_prev_doc(self) -> None:
        if self.session.go(-1):
            self.show_document()

    def action_undo(self) -> None:
        self._step(self.session.undo, "nothing to undo")

    def action_redo(self) -> None:
        self._step(self.session.redo, "nothing to redo")

    def _step(self, step: Callable[[], Save | None], nothing: str) -> None:
        shown = self.draft
        save = step()
        if save is None:
            self.notify(nothing, timeout=1.5)
            return
        self.writer.save(save)
        if shown is not None and shown.doc_id == save.document_id:
            self.repaint()  # the same document: no new layout
            self.refresh_status()
        else:
            self.show_document()  # undo across documents shows the one that changed

    # -- keys: panes and the app -------------------------------------------------

    def action_dashboard(self) -> None:
        dash = self.query_one("#dashboard", Dashboard)
        dash.display = not dash.display
        if dash.display and self.dashboard_data is not None:
            dash.show(self.dashboard_data)

    def action_help(self) -> None:
        labels = [(str(i + 1), name) for i, name in enumerate(self.label_keys)]
        self.app.push_screen(HelpScreen(labels))

    def action_quit_app(self) -> None:
        self.close()
        self.app.exit()

    def close(self) -> None:
        """Everything handed to the writer is committed before the app ends."""
        self.writer.flush()
        self.writer.close()
        self.prefetcher.stop()
        self.conn.close()
        self.dashboard_reader.close()

    # -- suggestions (from the prefetch thread) ----------------------------------

    def _suggested(self, document_id: int, spans: list[Span], origin: str) -> None:
        self.post_message(SuggestionsReady(document_id, spans, origin))

    def _suggest_failed(self, exc: Exception) -> None:
        self.post_message(SaveFailed(f"suggestions failed: {exc}"))

    def on_suggestions_ready(self, msg: SuggestionsReady) -> None:
        draft = self.session.drafts.get(msg.document_id)
        changed = draft is not None and draft.suggest(msg.spans, msg.origin)
        if draft is not None and draft is self.draft:
            if changed:
                self.query_one("#doc", DocumentView).changed()
            self.refresh_panel()

    # -- saving errors ----------------------------------------------------------

    def _save_failed(self, save: Save, exc: Exception) -> None:
        self.post_message(SaveFailed(f"could not save document {save.document_id}: {exc}"))

    def on_save_failed(self, msg: SaveFailed) -> None:
        self.app.push_screen(ErrorScreen(msg.error))

    def _save_conflict(self, save: Save, exc: Exception) -> None:
        self.post_message(SaveConflict(save.document_id, str(exc)))

    def on_save_conflict(self, msg: SaveConflict) -> None:
        draft = self.session.drafts.get(msg.document_id)
        name = draft.doc.external_id if draft is not None and draft.doc.external_id else None
        label = name or f"#{msg.document_id}"

        def chosen(choice: str | None) -> None:
            self.writer.resolved(msg.document_id)
            if choice == "keep":
                self.writer.save(self.session.keep_both(msg.document_id))
            else:
                self.session.reload(msg.document_id)
            self.show_document()

        self.app.push_screen(ConflictScreen(label, msg.error), chosen)
