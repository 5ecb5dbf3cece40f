-- User dictionaries of concepts (`workbench import-dict`: MeSH or CTD exports, or a plain
-- id, name, synonyms file): every name and synonym of a concept is one term, kept as
-- written and folded (NFKC, case-folded, punctuation as one space) so that a mention is
-- matched to its concept ids by one index look-up. A file is imported once (its hash).

CREATE TABLE dictionaries (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    label         TEXT NOT NULL,              -- the project label its concepts are
    entries       INTEGER NOT NULL,           -- concepts
    terms         INTEGER NOT NULL,           -- names and synonyms
    content_hash  TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX dictionaries_content_hash ON dictionaries (content_hash);

CREATE TABLE dictionary_terms (
    dictionary_id  INTEGER NOT NULL REFERENCES dictionaries(id),
    concept_id     TEXT NOT NULL,             -- as PubTator writes it: D000082, not MESH:D000082
    name           TEXT NOT NULL,             -- the concept's preferred name
    term           TEXT NOT NULL,             -- this name or synonym, as written
    folded         TEXT NOT NULL              -- the term normalised for matching
);
CREATE INDEX dictionary_terms_folded ON dictionary_terms (folded);
