"""`/` finds text (the match selected, a label key labels it), else lists the documents
that hold it to open one; `ctrl+f` lists them always; `*` labels every other occurrence of
an entity; all saved like any edit and undone like one."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from tests.conftest import write
from tests.tui.conftest import drive, latest, pool_ids, settle, wait_until
from workbench.ops.importing import import_files
from workbench.project import Project, init_project
from workbench.tui.screens.search_results import SearchResultsScreen

TEXT = (
    "Lithium and lithium salts: LITHIUM toxicity. Renal failure after lithium; renal failure again."
)


def _project(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    import_files(
        project, [write(tmp_path / "pool.txt", TEXT + "\nNo lithium here? Renal failure.\n")]
    )
    return project


def test_find_then_label_then_label_every_occurrence(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = pool_ids(project)[0]

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("slash", *"renal failure", "enter")
        await pilot.pause()
        draft = screen.draft
        assert draft is not None and draft.selection() == (8, 9)  # "Renal failure"
        await pilot.press("2")
        await settle(pilot)
        assert latest(project, first)[2] == [("Renal failure", "Disease", "added")]
        await pilot.press("asterisk")  # the cursor is on it: the other one too
        await settle(pilot)
        spans = latest(project, first)[2]
        assert spans == [
            ("Renal failure", "Disease", "added"),
            ("renal failure", "Disease", "added"),
        ]
        # the next document is offered it too, as a suggestion
        await pilot.press("n")
        await settle(pilot)
        nxt = screen.draft
        assert nxt is not None and nxt.doc_id != first
        assert [(nxt.text_of(e.first, e.last), e.label, e.edit) for e in nxt.entities] == [
            ("Renal failure", "Disease", "suggested")
        ]
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("slash", "ctrl+u", *"lithium", "enter", "1", "asterisk")
        await settle(pilot)
        texts = [s[0] for s in latest(project, first)[2] if s[1] == "Chemical"]
        # case ignored as the lexicon ignores it: capitals inside a word (NO, LITHIUM) count
        assert texts == ["Lithium", "lithium", "lithium"]
        await pilot.press("u")  # one undo takes back the whole `*`
        await settle(pilot)
        texts = [s[0] for s in latest(project, first)[2] if s[1] == "Chemical"]
        assert len(texts) == 1

    drive(project, body)


def test_text_not_in_the_document_lists_the_documents_that_hold_it(tmp_path: Path) -> None:
    project = _project(tmp_path)

    async def body(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"here?", "enter")
        results = await _results(pilot)
        assert [h.ident for h in results.hits.hits] == ["#2"]
        assert "'here?' is not in this document; 1 document holds it" in _title(results)

    drive(project, body)


def test_text_in_no_document_says_so(tmp_path: Path) -> None:
    project = _project(tmp_path)

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("slash", *"zebrafish", "enter")
        await wait_until(lambda: screen.app._notifications)
        shown = [n.message for n in screen.app._notifications]
        assert shown == ["'zebrafish' is not in this document nor in any other"]
        assert pilot.app.screen is screen

    drive(project, body)


CORPUS = [
    "Aspirin causes headache in rats .",
    "Lithium toxicity after renal failure .",
    "Chronic renal failure in rats .",
    "Renal Failure again , RENAL failure .",
]


def _corpus(tmp_path: Path) -> Project:
    project = init_project(tmp_path / "proj", "Chemical,Disease")
    import_files(project, [write(tmp_path / "pool.txt", "\n".join(CORPUS) + "\n")], fmt="text")
    return project


async def _results(pilot: Pilot[None]) -> SearchResultsScreen:
    await wait_until(lambda: isinstance(pilot.app.screen, SearchResultsScreen))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SearchResultsScreen)
    return screen


def _title(results: SearchResultsScreen) -> str:
    return str(results.query_one("#search-results .title", Static).content)


def _rows(results: SearchResultsScreen) -> list[str]:
    hits = results.query_one("#search-hits", OptionList)
    return [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]


def test_results_list_opens_a_document_with_the_match_selected(tmp_path: Path) -> None:
    project = _corpus(tmp_path)
    ids = pool_ids(project)

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        assert screen.draft is not None and screen.draft.doc_id == ids[0]
        await pilot.press("slash", *"RENAL failure", "enter")
        results = await _results(pilot)
        assert [h.doc_id for h in results.hits.hits] == ids[1:]
        assert _title(results).endswith("3 documents hold it")
        rows = _rows(results)
        assert rows[0].startswith("#2") and "pool/new" in rows[0]
        assert "Lithium toxicity after renal failure ." in rows[0]
        await pilot.press("down", "enter")
        await wait_until(lambda: pilot.app.screen is screen)
        draft = screen.draft
        assert draft is not None and draft.doc_id == ids[2]
        assert draft.selection() == (1, 2)  # "renal failure", ready for a label key
        await pilot.press("2")
        await settle(pilot)
        assert latest(project, ids[2])[2] == [("renal failure", "Disease", "added")]
        await pilot.press("slash", "enter")  # `/` again: the next occurrence, as ever
        await pilot.pause()
        assert pilot.app.screen is screen and draft.selection() == (1, 2)  # the only one

    drive(project, body)


def test_j_k_move_a_click_opens_and_the_first_match_is_selected(tmp_path: Path) -> None:
    project = _corpus(tmp_path)
    ids = pool_ids(project)

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        await pilot.press("slash", *"renal failure", "enter")
        await _results(pilot)
        await pilot.press("j", "j", "k", "j", "enter")
        await wait_until(lambda: pilot.app.screen is screen)
        draft = screen.draft
        assert draft is not None and draft.doc_id == ids[3]
        assert draft.selection() == (0, 1)  # "Renal Failure": the first of three
        await pilot.press("ctrl+f", "enter")  # the last text again, listed
        await _results(pilot)
        assert await pilot.click("#search-hits", offset=(4, 0))  # a click opens a row too
        await wait_until(lambda: pilot.app.screen is screen)
        draft = screen.draft
        assert draft is not None and draft.doc_id == ids[1] and draft.selection() == (3, 4)

    drive(project, body)


def test_ctrl_f_lists_the_corpus_even_when_the_document_holds_it(tmp_path: Path) -> None:
    project = _corpus(tmp_path)
    ids = pool_ids(project)

    async def body(pilot: Pilot[None]) -> None:
        screen = await settle(pilot)
        draft = screen.draft
        assert draft is not None and draft.doc_id == ids[0]
        before = latest(project, ids[0])
        await pilot.press("ctrl+f", *"rats", "enter")
        results = await _results(pilot)
        assert [h.doc_id for h in results.hits.hits] == [ids[0], ids[2]]
        assert _title(results) == "2 documents hold 'rats'"
        await pilot.press("escape")
        await wait_until(lambda: pilot.app.screen is screen)
        await settle(pilot)
        assert screen.draft is draft and draft.selection() == (0, 0)
        assert latest(project, ids[0]) == before

    drive(project, body)
