"""Suggestions before any model: accepted entities found again, token-aligned, longest first."""

from __future__ import annotations

from workbench.core import Document, Span, tokenize
from workbench.core.lexicon import build_lexicon


def _doc(text: str, spans: list[Span] | None = None) -> Document:
    return Document(text, tokenize(text), spans or [])


def test_longest_exact_token_aligned_match_with_the_most_frequent_label() -> None:
    lex = build_lexicon(
        [
            _doc(
                "renal failure after cisplatin", [Span(0, 13, "Disease"), Span(20, 29, "Chemical")]
            ),
            _doc("failure of cisplatin", [Span(11, 20, "Chemical")]),
            _doc("cisplatin again", [Span(0, 9, "Disease")]),  # a minority label
        ]
    )
    doc = _doc("Acute renal failure and cisplatinum, then cisplatin.")
    spans = lex.spans(doc)
    assert [(doc.text[s.start : s.end], s.label) for s in spans] == [
        ("renal failure", "Disease"),
        ("cisplatin", "Chemical"),  # not inside "cisplatinum": tokens, not substrings
    ]


def test_an_empty_lexicon_suggests_nothing() -> None:
    assert build_lexicon([]).spans(_doc("cisplatin")) == []


def test_case_is_ignored_unless_it_carries_meaning() -> None:
    lex = build_lexicon(
        [
            _doc("gentamicin-induced nephropathy", [Span(0, 30, "Disease")]),
            _doc("NO and ACE inhibitors", [Span(0, 2, "Chemical")]),
            _doc("Mg deficiency", [Span(0, 2, "Chemical")]),
        ]
    )
    doc = _doc("Gentamicin-induced Nephropathy: no rise in NO. No change at 100 mg, Mg low.")
    found = [(doc.text[s.start : s.end], s.label) for s in lex.spans(doc)]
    assert found == [
        ("Gentamicin-induced Nephropathy", "Disease"),
        ("NO", "Chemical"),
        ("Mg", "Chemical"),  # magnesium, not the milligrams before it
    ]
