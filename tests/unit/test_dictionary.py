"""User dictionaries: the reader (plain and CTD), term folding, the concept index, and the
lexicon's dictionary terms with their concept ids."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import write
from workbench.core import Document, tokenize
from workbench.core.concepts import AMBIGUOUS, Concept, ConceptIndex, fold_term
from workbench.core.lexicon import Lexicon, fold
from workbench.errors import EmptyInputError, FormatError
from workbench.ops.dictionary import read_dictionary

PLAIN = (
    "# chemicals of the test corpus\n"
    "id\tname\tsynonyms\n"
    "MESH:D000082\tAcetaminophen\tParacetamol|Tylenol| \n"
    "D008094\tLithium\n"
    "\n"
    "D008094\tLithium\tLi\n"  # the same id again: one concept, one more synonym
    "C000001\tNitric oxide\tNO|nitric oxide\n"
)

CTD_CHEMICALS = (
    "# Comparative Toxicogenomics Database (CTD)\n"
    "#\n"
    "# Fields:\n"
    "# ChemicalName\tChemicalID\tCasRN\tDefinition\tParentIDs\tTreeNumbers\tParentTreeNumbers"
    "\tSynonyms\n"
    "#\n"
    "Acetaminophen\tMESH:D000082\t103-90-2\tAn analgesic.\tMESH:D000000\tD02.065\tD02\t"
    "Paracetamol|APAP\n"
    "Gentamicins\tMESH:D005839\t1403-66-3\t\t\t\t\t\n"
)

CTD_DISEASES = (
    "# Comparative Toxicogenomics Database (CTD)\n"
    "# Fields:\n"
    "# DiseaseName\tDiseaseID\tAltDiseaseIDs\tDefinition\tParentIDs\tTreeNumbers"
    "\tParentTreeNumbers\tSynonyms\tSlimMappings\n"
    "#\n"
    "Kidney Diseases\tMESH:D007674\t\t\tMESH:D014570\tC12\tC12\tRenal Disease|Nephropathy\t\n"
    "Long QT syndrome 1\tOMIM:192500\t\t\t\t\t\tLQT1\t\n"
)


def _concepts(path: Path) -> dict[str, list[str]]:
    return {e.concept_id: list(e.terms) for e in read_dictionary(path).entries.values()}


def test_plain_file_with_header_comments_and_optional_synonyms(tmp_path: Path) -> None:
    parsed = read_dictionary(write(tmp_path / "chem.tsv", PLAIN))
    assert parsed.kind == "tsv"
    assert _concepts(parsed.path) == {
        "D000082": ["Acetaminophen", "Paracetamol", "Tylenol"],  # MESH: dropped, blanks too
        "D008094": ["Lithium", "Li"],
        "C000001": ["Nitric oxide", "NO", "nitric oxide"],
    }
    assert parsed.entries["D008094"].name == "Lithium"
    assert parsed.entries["D008094"].line == 4
    assert len(parsed.terms()) == 8


def test_ctd_exports_are_read_by_their_header(tmp_path: Path) -> None:
    chem = read_dictionary(write(tmp_path / "CTD_chemicals.tsv", CTD_CHEMICALS))
    assert chem.kind == "CTD chemicals"
    assert _concepts(chem.path) == {
        "D000082": ["Acetaminophen", "Paracetamol", "APAP"],
        "D005839": ["Gentamicins"],
    }
    dis = read_dictionary(write(tmp_path / "CTD_diseases.tsv", CTD_DISEASES))
    assert dis.kind == "CTD diseases"
    assert _concepts(dis.path) == {
        "D007674": ["Kidney Diseases", "Renal Disease", "Nephropathy"],
        "OMIM:192500": ["Long QT syndrome 1", "LQT1"],  # only MESH: is dropped
    }


def test_a_gzipped_export_is_the_same_content(tmp_path: Path) -> None:
    plain = read_dictionary(write(tmp_path / "CTD_chemicals.tsv", CTD_CHEMICALS))
    gz = tmp_path / "CTD_chemicals.tsv.gz"
    gz.write_bytes(gzip.compress(CTD_CHEMICALS.encode()))
    zipped = read_dictionary(gz)
    assert zipped.content_hash == plain.content_hash
    assert zipped.terms() == plain.terms()


BAD: list[tuple[str, str | bytes, int | None, str]] = [
    ("no-id", "D1\tAspirin\n\tIbuprofen\n", 2, "no concept id"),
    ("no-name", "D1\tAspirin\nD2\t  \tx|y\n", 2, "no name for D2"),
    ("mesh-only", "MESH:\tAspirin\n", 1, "no concept id after MESH:"),
    ("spaces-not-tabs", "# fine\nD1\tAspirin\nD2 Ibuprofen\n", 3, "one column only"),
    ("too-many-columns", "D1\tAspirin\tASA\tan analgesic\n", 1, "4 columns"),
    ("latin-1", "D1\tAspirin\nD2\tCaf\xe9ine\n".encode("latin-1"), 2, "not valid UTF-8"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, "binary"),
    ("empty", "", None, "the file is empty"),
    ("only-comments", "# nothing\n\n# here\n", None, "no concepts in the file"),
    ("ctd-short-row", CTD_CHEMICALS + "Lone name\n", 8, "too few for ChemicalID"),
    ("ctd-no-id", CTD_CHEMICALS + "Aspirin\t\t\n", 8, "no concept id (ChemicalID is empty)"),
    (
        "ctd-unknown-kind",
        "# Fields:\n# GeneSymbol\tGeneName\tGeneID\nA1BG\talpha\t1\n",
        2,
        "a CTD export of a kind not read here",
    ),
]


@pytest.mark.parametrize(
    ("content", "line", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_a_bad_file_is_one_error_naming_its_line(
    tmp_path: Path, content: str | bytes, line: int | None, message: str
) -> None:
    path = write(tmp_path / "bad.tsv", content)
    with pytest.raises(FormatError) as info:
        read_dictionary(path)
    err = str(info.value)
    assert message in err
    assert err.startswith(f"{path}:{line}: " if line is not None else f"{path}: "), err
    assert "\n" not in err


def test_an_empty_file_is_empty_input(tmp_path: Path) -> None:
    with pytest.raises(EmptyInputError):
        read_dictionary(write(tmp_path / "e.tsv", "\n\n"))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        read_dictionary(tmp_path / "nope.tsv")


# -- folding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Gentamicin-induced Nephropathy", "gentamicin induced nephropathy"),
        ("  gentamicin   induced\tnephropathy ", "gentamicin induced nephropathy"),
        ("5-FU", "5 fu"),
        ("N,N-dimethyl_formamide", "n n dimethyl formamide"),
        ("Straße", "strasse"),  # case-folded, not lower-cased
        ("ﬁbrosis", "fibrosis"),  # NFKC: the ligature is two letters
        ("Ca²⁺", "ca2"),
        ("\u03b1-Tocopherol", "\u03b1 tocopherol"),  # Greek letters are letters
        ("--", ""),
    ],
)
def test_fold_term(text: str, folded: str) -> None:
    assert fold_term(text) == folded


@given(st.text())
def test_folding_a_folded_term_changes_nothing(text: str) -> None:
    once = fold_term(text)
    assert fold_term(once) == once
    assert once == once.strip() and "  " not in once


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_lexicons_ascii_short_cut_folds_as_the_rule_says(word: str) -> None:
    meaningful = len(word) <= 2 or any(c.isupper() for c in word[1:])
    assert fold(word) == (word if meaningful else word.casefold())


# -- the concept index -------------------------------------------------------------------

ROWS = [
    ("Chemical", "D000082", "Acetaminophen", "Acetaminophen"),
    ("Chemical", "D000082", "Acetaminophen", "Paracetamol"),
    ("Chemical", "D008094", "Lithium", "Lithium"),
    ("Chemical", "D008094", "Lithium", "Li"),
    ("Chemical", "D999999", "Lithium carbonate", "lithium"),  # shares a folded term
    ("Disease", "D007674", "Kidney Diseases", "Kidney Diseases"),
    ("Disease", "D007674", "Kidney Diseases", "Nephropathy"),
    ("Disease", "D051437", "Renal Insufficiency", "Nephropathy"),
    ("Disease", "D000001", "Lithium poisoning", "Lithium"),  # the same words, another label
    ("Chemical", "D000000", "Dash", "-"),  # folds to nothing: never matched
]


def test_lookup_is_an_exact_folded_match_within_the_label() -> None:
    index = ConceptIndex.build(ROWS)
    assert index.lookup("PARACETAMOL", "Chemical") == [Concept("D000082", "Acetaminophen")]
    assert index.lookup("paracetamol", "Disease") == []
    assert index.lookup("kidney-diseases", "Disease") == [Concept("D007674", "Kidney Diseases")]
    assert index.lookup("kidney", "Disease") == []  # whole terms, not words
    assert index.lookup("-", "Chemical") == []
    assert len(index) == 9 and index.concept_count == 6


def test_several_concepts_come_in_a_stable_order() -> None:
    # the concept whose preferred name it is first, then by id; the row order does not matter
    for rows in (ROWS, ROWS[::-1]):
        index = ConceptIndex.build(rows)
        assert [c.id for c in index.lookup("lithium", "Chemical")] == ["D008094", "D999999"]
        assert [c.id for c in index.lookup("Nephropathy", "Disease")] == ["D007674", "D051437"]
        assert [c.id for c in index.lookup("Lithium", "Disease")] == ["D000001"]
    assert index.unique("nephropathy", "Disease") is None
    assert index.unique("Li", "Chemical") == Concept("D008094", "Lithium")


def test_stored_folded_forms_are_used_as_they_are() -> None:
    index = ConceptIndex.build([("Chemical", "D1", "Aspirin", "Aspirin", "aspirin")])
    assert index.lookup("ASPIRIN", "Chemical") == [Concept("D1", "Aspirin")]


def test_terms_for_the_lexicon_leave_out_the_id_of_an_ambiguous_term() -> None:
    terms = list(ConceptIndex.build(ROWS).terms_for_lexicon())
    assert ("Chemical", "D000082", "Paracetamol") in terms
    assert ("Chemical", AMBIGUOUS, "Lithium") in terms
    assert ("Chemical", AMBIGUOUS, "lithium") in terms
    assert ("Disease", "D000001", "Lithium") in terms  # one concept of its own label
    assert ("Disease", AMBIGUOUS, "Nephropathy") in terms
    assert len(terms) == 9


# -- the lexicon's dictionary terms ------------------------------------------------------


def _doc(text: str) -> Document:
    return Document(text, tokenize(text))


def test_dictionary_terms_are_suggested_with_their_concept() -> None:
    lex = Lexicon()
    for label, concept, term in ConceptIndex.build(ROWS).terms_for_lexicon():
        lex.add_text(term, label, concept)
    doc = _doc("Paracetamol and lithium, then kidney-diseases and Nephropathy.")
    found = [(doc.text[s.start : s.end], s.label, s.meta.get("concept")) for s in lex.spans(doc)]
    assert found == [
        ("Paracetamol", "Chemical", "D000082"),
        ("lithium", "Chemical", None),  # two chemicals are called so: no id
        ("Nephropathy", "Disease", None),
    ]  # "kidney-diseases": the lexicon matches words and punctuation as written


def test_two_ids_on_one_key_leave_the_label_without_a_concept() -> None:
    lex = Lexicon()
    lex.add_text("cisplatin", "Chemical", "D1")
    lex.add_text("Cisplatin", "Chemical", "D1")
    doc = _doc("cisplatin")
    assert lex.spans(doc)[0].meta == {"concept": "D1"}
    lex.add_text("CISPLATIN", "Chemical", "D2")  # the same key: "CISPLATIN" has capitals inside
    assert lex.spans(doc)[0].meta == {"concept": "D1"}
    lex.add_text("cisplatin", "Chemical", "D2")
    assert lex.spans(doc)[0].meta == {}
    lex.add_term(["cisplatin"], "Chemical")  # an accepted entity adds no concept
    assert lex.spans(doc)[0].meta == {}
