"""The adjudication screen: two annotators' entities of one document side by side; keys
take one side's, the other's, both or neither for each difference, and `enter` saves the
result as the adjudicated revision (`workbench annotate --adjudicate`)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from workbench.core.spans import concept_of
from workbench.project import Project
from workbench.session.adjudication import Adjudication, Difference, open_adjudication
from workbench.session.state import default_annotator
from workbench.session.writer import RevisionWriter, Save
from workbench.store.annotators import awaiting_adjudication
from workbench.tui.widgets.document_view import DocumentView

TAKEN = {"first": "left", "second": "right", "both": "both", "neither": "neither"}


class AdjudicateScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1,left,h", "take('first')", "take left"),
        Binding("2,right,l", "take('second')", "take right"),
        Binding("b", "take('both')", "both"),
        Binding("x", "take('neither')", "neither"),
        Binding("u,backspace", "undecide", "undo", show=False),
        Binding("tab,down,j", "move(1)", "next diff", priority=True),
        Binding("shift+tab,up,k", "move(-1)", "prev diff", show=False, priority=True),
        Binding("enter", "save", "save"),
        Binding("n", "go(1)", "next doc", show=False),
        Binding("p", "go(-1)", "prev doc", show=False),
        Binding("q,escape", "quit_app", "quit"),
    ]

    def __init__(self, project: Project, adjudicator: str | None = None):
        super().__init__()
        self.project = project
        self.adjudicator = adjudicator or default_annotator()
        self.colours = {lab.name: lab.colour for lab in project.config.labels}
        self.conn = project.connect()
        self.order = awaiting_adjudication(self.conn)
        self.pos = 0
        self.saved: set[int] = set()
        self.current: Adjudication | None = None
        self.writer = RevisionWriter(project.db_path, self._failed, self._conflict)

    def compose(self) -> ComposeResult:
        yield Static(id="adj-status")
        with Horizontal(id="adj-main"):
            with Vertical(id="adj-left", classes="adj-side"):
                yield Static(id="adj-left-title", classes="adj-title")
                yield DocumentView(id="adj-left-doc")
            with Vertical(id="adj-right", classes="adj-side"):
                yield Static(id="adj-right-title", classes="adj-title")
                yield DocumentView(id="adj-right-doc")
        yield Static(id="adj-diffs")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.open_current()

    # -- the open document -------------------------------------------------------

    def open_current(self) -> None:
        self.current = None
        if self.order:
            doc_id = self.order[self.pos]
            self.writer.resolved(doc_id)  # a refused save is forgotten: this is a fresh copy
            self.current = open_adjudication(self.conn, doc_id)
        self.repaint(new=True)

    def repaint(self, new: bool = False) -> None:
        adj = self.current
        status = self.query_one("#adj-status", Static)
        diffs = self.query_one("#adj-diffs", Static)
        views = (
            (self.query_one("#adj-left-doc", DocumentView), "first"),
            (self.query_one("#adj-right-doc", DocumentView), "second"),
        )
        if adj is None:
            done = len(self.saved)
            status.update(
                Text(" adjudicate ", style="bold reverse")
                + Text(
                    f" nothing awaits adjudication ({done} adjudicated in this session); q quits"
                )
            )
            for view, _ in views:
                view.marked = None
                view.show(None, self.colours)
            diffs.update("")
            return
        who = {"first": adj.first.author, "second": adj.second.author}
        self.query_one("#adj-left-title", Static).update(Text(f"left: {who['first']}", "bold"))
        self.query_one("#adj-right-title", Static).update(Text(f"right: {who['second']}", "bold"))
        ident = adj.document.external_id or f"#{adj.doc_id}"
        status.update(
            Text(" adjudicate ", style="bold reverse")
            + Text(
                f" {self.pos + 1} of {len(self.order)} │ {ident} │ {len(adj.agreed)} agreed, "
                f"{len(adj.differences)} differences, {adj.open} open"
                + (" │ saved" if adj.doc_id in self.saved else "")
            )
        )
        marked = adj.focus_tokens()
        for view, side in views:
            view.marked = marked or (-1, -1)
            if new or view.draft is None:
                view.show(adj.view(side), self.colours)
            else:
                view.draft = adj.view(side)
                view.changed()
                view.scroll_to_cursor()
        diffs.update(self._differences(adj))

    def _differences(self, adj: Adjudication) -> Text:
        out = Text()
        if not adj.differences:
            out.append("The two annotators agree on every entity: enter saves it.", "dim")
            return out
        text = adj.document.text
        for k, d in enumerate(adj.differences):
            mark = "▶ " if k == adj.current else "  "
            out.append(mark, "bold")
            out.append(f"{k + 1}. ")
            lo, hi = max(0, d.start - 16), min(len(text), d.end + 16)
            before = text[lo : d.start].replace("\n", " ")
            after = text[d.end : hi].replace("\n", " ")
            out.append(("…" if lo else "") + before, "dim")
            out.append(text[d.start : d.end][:40], "bold underline")
            out.append(after + ("…" if hi < len(text) else ""), "dim")
            out.append("  left: ")
            self._spans(out, d, "first", text)
            out.append("  right: ")
            self._spans(out, d, "second", text)
            taken = TAKEN.get(d.choice or "", "")
            out.append(f"  → {taken}" if taken else "  → ?", "bold green" if taken else "yellow")
            if k < len(adj.differences) - 1:
                out.append("\n")
        return out

    def _spans(self, out: Text, d: Difference, side: str, text: str) -> None:
        spans = getattr(d, side)
        if not spans:
            out.append("none", "dim")
        for j, s in enumerate(spans):
            if j:
                out.append(", ")
            concept = concept_of(s.meta)
            out.append(s.label, self.colours.get(s.label, "white"))
            if d.start != s.start or d.end != s.end:  # a part of the difference's text
                out.append(f" {text[s.start : s.end]!r}")
            if concept:
                out.append(f" {concept}", "dim")

    # -- keys --------------------------------------------------------------------

    def action_take(self, choice: str) -> None:
        if self.current is not None and self.current.take(choice):
            self.repaint()

    def action_undecide(self) -> None:
        if self.current is not None and self.current.take(None):
            self.repaint()

    def action_move(self, delta: int) -> None:
        if self.current is not None and self.current.move(delta):
            self.repaint()

    def action_go(self, delta: int) -> None:
        new = max(0, min(len(self.order) - 1, self.pos + delta))
        if self.order and new != self.pos:
            self.pos = new
            self.open_current()

    def action_save(self) -> None:
        adj = self.current
        if adj is None:
            return
        if adj.open:
            self.notify(
                f"{adj.open} difference{' is' if adj.open == 1 else 's are'} still open:"
                " take a side for each"
            )
            return
        if adj.doc_id in self.saved:
            self.notify("already adjudicated in this session")
            return
        self.writer.save(adj.save(self.adjudicator))
        self.saved.add(adj.doc_id)
        rest = [k for k, d in enumerate(self.order) if d not in self.saved]
        if not rest:
            self.current = None
            self.repaint(new=True)
            return
        self.pos = next((k for k in rest if k > self.pos), rest[0])
        self.open_current()

    def action_quit_app(self) -> None:
        self.app.exit()

    # -- the writer's reports (its own thread) -------------------------------------

    def _failed(self, save: Save, exc: Exception) -> None:
        self.app.call_from_thread(
            self.notify, f"document #{save.document_id} not saved: {exc}", severity="error"
        )

    def _conflict(self, save: Save, exc: Exception) -> None:
        self.saved.discard(save.document_id)
        self.app.call_from_thread(
            self.notify,
            f"document #{save.document_id}: {exc}; nothing saved, n/p and back reopen it",
            severity="error",
            timeout=8,
        )

    def close(self) -> None:
        self.writer.flush()
        self.writer.close()
        self.conn.close()
