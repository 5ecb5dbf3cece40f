"""The annotate screen's ways to a place: `g` opens a document by id, `/` finds text (in the
document, else across the corpus), `ctrl+f` lists the corpus's matches, a click puts the
cursor on a token or an entity."""

from __future__ import annotations

from dataclasses import replace

from textual.screen import Screen

from workbench.session.draft import Draft
from workbench.session.search import Hit, search_corpus
from workbench.session.state import Session
from workbench.tui.messages import EntityClicked, TokenClicked
from workbench.tui.screens.goto import GoToScreen
from workbench.tui.screens.search import CorpusSearchScreen, SearchScreen
from workbench.tui.screens.search_results import SearchResultsScreen, snippet_width


class Finding(Screen[None]):
    """A base of `AnnotateScreen`, which sets this state up and draws the document."""

    session: Session
    last_search: str

    @property
    def draft(self) -> Draft | None:
        raise NotImplementedError

    def show_document(self) -> None:
        raise NotImplementedError

    def repaint(self) -> None:
        raise NotImplementedError

    def on_token_clicked(self, msg: TokenClicked) -> None:
        if (d := self.draft) is not None:
            d.move_to(msg.token, extend=msg.extend)
            self.repaint()

    def on_entity_clicked(self, msg: EntityClicked) -> None:
        if (d := self.draft) is not None and msg.index < len(d.entities):
            d.move_to(d.entities[msg.index].first)
            self.repaint()

    def action_goto(self) -> None:
        def chosen(ident: str | None) -> None:
            if ident:
                self.open_document(ident)

        self.app.push_screen(GoToScreen(), chosen)

    def action_search(self) -> None:
        def chosen(needle: str | None) -> None:
            if not needle:
                return
            self.last_search = needle
            d = self.draft
            if d is not None and d.find(needle):
                self.repaint()
                return
            self.show_matches(needle, absent=d is not None)

        self.app.push_screen(SearchScreen(self.last_search), chosen)

    def action_search_corpus(self) -> None:
        def chosen(needle: str | None) -> None:
            if needle:
                self.last_search = needle
                self.show_matches(needle)

        self.app.push_screen(CorpusSearchScreen(self.last_search), chosen)

    def show_matches(self, needle: str, absent: bool = False) -> None:
        """The documents that hold ``needle`` in a list to open one from; ``absent``: the
        open document does not."""
        found = search_corpus(self.session.conn, needle, width=snippet_width(self.app.size.width))
        if not found.hits:
            where = "this document nor in any other" if absent else "any document"
            self.notify(f"{needle!r} is not in {where}", timeout=3)
            return
        drafts = self.session.drafts  # this session's edits may not be saved yet
        hits = tuple(
            replace(h, status=drafts[h.doc_id].status) if h.doc_id in drafts else h
            for h in found.hits
        )
        self.app.push_screen(
            SearchResultsScreen(replace(found, hits=hits), absent), self.open_match
        )

    def open_match(self, hit: Hit | None) -> None:
        """Open the chosen document with its first match selected, as `/` selects one."""
        if hit is None:
            return
        self.session.open(hit.doc_id)
        self.show_document()
        d = self.draft
        if d is None or d.doc_id != hit.doc_id:
            return
        if d.select_chars(hit.offset, hit.offset + hit.length):
            self.repaint()

    def open_document(self, ident: str) -> bool:
        """Show a document by id or number, wherever it is (review, another split)."""
        doc_id = self.session.find(ident)
        if doc_id is None:
            self.notify(f"no document {ident} in this project", timeout=3)
            return False
        self.session.open(doc_id)
        self.show_document()
        return True
