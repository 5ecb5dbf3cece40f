"""The annotate screen's ways to a place: `g` opens a document by id, `/` finds text, a
click puts the cursor on a token or an entity."""

from __future__ import annotations

from textual.screen import Screen

from workbench.session.draft import Draft
from workbench.session.state import Session
from workbench.tui.messages import EntityClicked, TokenClicked
from workbench.tui.screens.goto import GoToScreen
from workbench.tui.screens.search import SearchScreen


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
            d = self.draft
            if not needle or d is None:
                return
            self.last_search = needle
            if d.find(needle):
                self.repaint()
                return
            others = self.session.elsewhere(needle)
            where = f"; in {', '.join(others[:5])}" if others else ", nor in any other document"
            more = " …" if len(others) > 5 else ""
            self.notify(f"{needle!r} is not in this document{where}{more} (g opens one)")

        self.app.push_screen(SearchScreen(self.last_search), chosen)

    def open_document(self, ident: str) -> bool:
        """Show a document by id or number, wherever it is (review, another split)."""
        doc_id = self.session.find(ident)
        if doc_id is None:
            self.notify(f"no document {ident} in this project", timeout=3)
            return False
        self.session.open(doc_id)
        self.show_document()
        return True
