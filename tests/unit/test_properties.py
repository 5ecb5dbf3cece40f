"""Property tests: export then import gives the same spans, and stored span text is exact."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core import Span, Token, bio_to_spans, spans_to_bio, tokenize
from workbench.ops.exporting import export_project
from workbench.ops.importing import import_files
from workbench.project import init_project
from workbench.store.documents import iter_documents

LABELS = ["Chemical", "Disease", "Gene"]
# Any text with something to tokenize; no lone surrogates (not encodable as UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80).filter(
    lambda t: t.strip() != ""
)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    """Entities on token boundaries: what an import accepts as it is."""
    text = draw(TEXT.filter(lambda t: bool(tokenize(t))))
    tokens = tokenize(text)
    spans = []
    for _ in range(draw(st.integers(0, 5))):
        first = draw(st.integers(0, len(tokens) - 1))
        last = draw(st.integers(first, len(tokens) - 1))
        spans.append(Span(tokens[first].start, tokens[last].end, draw(st.sampled_from(LABELS))))
    return text, spans


@st.composite
def text_and_any_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(TEXT)
    spans = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(Span(start, end, draw(st.sampled_from(LABELS))))
    return text, spans


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(text_and_spans(), min_size=1, max_size=4))
def test_jsonl_export_import_keeps_any_spans(docs: list[tuple[str, list[Span]]]) -> None:
    import json

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "in.jsonl"
        src.write_text(
            "".join(
                json.dumps(
                    {
                        "text": t,
                        "entities": [
                            {"start": s.start, "end": s.end, "label": s.label} for s in spans
                        ],
                    },
                    ensure_ascii=False,
                )
                + "\n"
                for t, spans in docs
            ),
            encoding="utf-8",
        )
        first = init_project(root / "a", ",".join(LABELS))
        import_files(first, [src])
        export_project(first, root / "out.jsonl", "jsonl")
        second = init_project(root / "b", ",".join(LABELS))
        import_files(second, [root / "out.jsonl"])

        conn = second.connect()
        stored = [s.document for s in iter_documents(conn)]
        assert [(d.text, d.spans) for d in stored] == [(t, spans) for t, spans in docs]
        _assert_span_text_is_exact(conn)


@SETTINGS
@given(text_and_any_spans())
def test_any_entity_is_stored_on_token_boundaries_or_refused_with_its_line(
    doc: tuple[str, list[Span]],
) -> None:
    import json

    from workbench.core.tokenize import misaligned
    from workbench.errors import FormatError

    text, spans = doc
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "in.jsonl"
        ents = [{"start": s.start, "end": s.end, "label": s.label} for s in spans]
        src.write_text(json.dumps({"text": text, "entities": ents}) + "\n", encoding="utf-8")
        proj = init_project(root / "p", ",".join(LABELS))
        for snap in (False, True):
            try:
                import_files(proj, [src], snap=snap, on_existing="replace")
            except FormatError as exc:
                assert not snap and exc.line == 1 and "token boundaries" in str(exc)
                continue
            conn = proj.connect()
            (stored,) = [s.document for s in iter_documents(conn)]
            conn.close()
            assert stored.text == text
            assert misaligned(stored.tokens, stored.spans) == []
            if not snap:
                assert stored.spans == spans


@st.composite
def tagged_sentence(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    words = draw(
        st.lists(
            st.from_regex(r"[A-Za-z0-9]{1,8}|[-().,;:+/]", fullmatch=True), min_size=1, max_size=12
        )
    )
    tags, prev = [], "O"
    for _ in words:
        choices = ["O"] + [f"B-{lab}" for lab in LABELS]
        if prev != "O":
            choices.append("I-" + prev[2:])
        prev = draw(st.sampled_from(choices))
        tags.append(prev)
    return words, tags


@SETTINGS
@given(st.lists(tagged_sentence(), min_size=1, max_size=5))
def test_conll_export_import_keeps_tags(sentences: list[tuple[list[str], list[str]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        content = "".join(
            "".join(f"{w}\t{t}\n" for w, t in zip(words, tags, strict=True)) + "\n"
            for words, tags in sentences
        )
        (root / "in.tsv").write_text(content, encoding="utf-8")
        proj = init_project(root / "p", ",".join(LABELS))
        import_files(proj, [root / "in.tsv"], split="train")
        export_project(proj, root / "out.tsv", "conll")
        assert (root / "out.tsv").read_text(encoding="utf-8") == content
        _assert_span_text_is_exact(proj.connect())


@SETTINGS
@given(TEXT, st.data())
def test_token_aligned_spans_survive_bio(text: str, data: st.DataObject) -> None:
    tokens: list[Token] = tokenize(text)
    # Non-overlapping runs of whole tokens.
    spans, i = [], 0
    while i < len(tokens):
        if data.draw(st.booleans()):
            j = data.draw(st.integers(i, len(tokens) - 1))
            spans.append(Span(tokens[i].start, tokens[j].end, data.draw(st.sampled_from(LABELS))))
            i = j + 1
        i += 1
    tags, dropped = spans_to_bio(tokens, spans)
    assert dropped == 0
    assert bio_to_spans(tokens, tags) == spans


def _assert_span_text_is_exact(conn: sqlite3.Connection) -> None:
    # Compared in Python: SQLite's substr() stops at a NUL character, Python's slicing does not.
    rows = conn.execute(
        'SELECT s.text, d.text, s.start, s."end" FROM spans s'
        " JOIN annotations a ON a.id = s.annotation_id JOIN documents d ON d.id = a.document_id"
    ).fetchall()
    conn.close()
    assert all(span == text[start:end] for span, text, start, end in rows)
