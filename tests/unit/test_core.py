from __future__ import annotations

import pytest

from workbench.core import BioError, Span, Token, bio_to_spans, parse_tag, spans_to_bio, tokenize
from workbench.core.bio import tag_names


def texts(text: str) -> list[str]:
    return [text[t.start : t.end] for t in tokenize(text)]


def test_tokenizer_splits_like_bc5cdr() -> None:
    assert texts("Famotidine-associated delirium.") == [
        "Famotidine",
        "-",
        "associated",
        "delirium",
        ".",
    ]
    assert texts("H2-receptor Ca2+ 5-HT(1A) Parkinson's") == [
        "H2",
        "-",
        "receptor",
        "Ca2",
        "+",
        "5",
        "-",
        "HT",
        "(",
        "1A",
        ")",
        "Parkinson",
        "'",
        "s",
    ]


def test_tokenizer_offsets_are_exact_and_unicode_aware() -> None:
    text = "  naïve β-blocker_x\t\n10 mg/kg "
    toks = tokenize(text)
    assert [text[a:b] for a, b in toks] == [
        "naïve",
        "β",
        "-",
        "blocker",
        "_",
        "x",
        "10",
        "mg",
        "/",
        "kg",
    ]
    assert all(not text[a:b].isspace() for a, b in toks)


def test_parse_tag() -> None:
    assert parse_tag("O") == ("O", None)
    assert parse_tag("B-Chemical") == ("B", "Chemical")
    assert parse_tag("I-Cell_line") == ("I", "Cell_line")
    for bad in ("X-Chemical", "B-", "Chemical", "b-Chemical", ""):
        with pytest.raises(BioError):
            parse_tag(bad)


def test_tag_names_order() -> None:
    assert tag_names(["Chemical", "Disease"]) == [
        "O",
        "B-Chemical",
        "I-Chemical",
        "B-Disease",
        "I-Disease",
    ]


TOKS = [Token(0, 3), Token(4, 7), Token(8, 11), Token(12, 15)]


def test_bio_to_spans_basic() -> None:
    assert bio_to_spans(TOKS, ["B-C", "I-C", "O", "B-D"]) == [Span(0, 7, "C"), Span(12, 15, "D")]


def test_i_after_o_or_other_type_starts_a_new_entity() -> None:
    assert bio_to_spans(TOKS, ["O", "I-C", "I-D", "I-D"]) == [Span(4, 7, "C"), Span(8, 15, "D")]
    assert bio_to_spans(TOKS, ["B-C", "B-C", "I-C", "O"]) == [Span(0, 3, "C"), Span(4, 11, "C")]


def test_spans_to_bio_round_trip_and_overlaps_dropped() -> None:
    tags = ["B-C", "I-C", "O", "B-D"]
    assert spans_to_bio(TOKS, bio_to_spans(TOKS, tags)) == (tags, 0)
    # A nested span cannot be written in BIO: it is dropped and counted.
    assert spans_to_bio(TOKS, [Span(0, 11, "D"), Span(4, 7, "C")]) == (
        ["B-D", "I-D", "I-D", "O"],
        1,
    )


def test_spans_to_bio_widens_a_span_inside_a_token() -> None:
    assert spans_to_bio(TOKS, [Span(5, 9, "C")]) == (["O", "B-C", "I-C", "O"], 0)


def test_span_rejects_empty_range() -> None:
    with pytest.raises(ValueError):
        Span(3, 3, "C")


def test_a_concept_id_is_found_and_cleared_wherever_its_format_kept_it() -> None:
    from workbench.core.spans import concept_of, without_concept

    pubtator = {"pubtator": ["D015738", "extra"], "edit": "kept"}
    bioc = {"bioc": {"id": "T1", "infons": {"identifier": "D015738", "note": "x"}}}
    brat = {"concept": "MESH:D015738"}
    assert [concept_of(m) for m in (pubtator, bioc, brat)] == ["D015738", "D015738", "MESH:D015738"]
    assert concept_of({"pubtator": ["-1"]}) is None and concept_of({}) is None
    assert without_concept(pubtator) == {"edit": "kept", "concept_cleared": "D015738"}
    cleared = without_concept(bioc)
    assert cleared["bioc"] == {"id": "T1", "infons": {"note": "x"}}
    assert concept_of(cleared) is None and cleared["concept_cleared"] == "D015738"
    assert without_concept({"edit": "added"}) == {"edit": "added"}
