-- Documents with their exact text and token offsets; annotations as
-- append-only revisions, each with its spans as character offsets.

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,
    split       TEXT NOT NULL,
    documents   INTEGER NOT NULL,
    spans       INTEGER NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    import_id    INTEGER REFERENCES imports(id),
    external_id  TEXT,
    text         TEXT NOT NULL,
    tokens       TEXT NOT NULL,              -- JSON [[start, end], ...]
    split        TEXT NOT NULL CHECK (split IN ('pool', 'train', 'dev', 'test')),
    status       TEXT NOT NULL DEFAULT 'new'
                 CHECK (status IN ('new', 'draft', 'accepted', 'skipped')),
    format       TEXT NOT NULL,
    meta         TEXT NOT NULL DEFAULT '{}', -- JSON, format-specific (PubTator relations...)
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX documents_split_status ON documents (split, status);
CREATE INDEX documents_external_id ON documents (external_id);

-- One row per saved revision of a document's entities; never updated.
CREATE TABLE annotations (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    revision     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('gold', 'import', 'draft', 'accepted', 'skipped')),
    origin       TEXT NOT NULL,              -- 'import:<id>', 'user', 'model:<id>'
    author       TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (document_id, revision)
);

CREATE TABLE spans (
    id             INTEGER PRIMARY KEY,
    annotation_id  INTEGER NOT NULL REFERENCES annotations(id),
    position       INTEGER NOT NULL,         -- order within the revision (source order)
    start          INTEGER NOT NULL CHECK (start >= 0),
    "end"          INTEGER NOT NULL CHECK ("end" > start),
    label          TEXT NOT NULL,
    text           TEXT NOT NULL,            -- equals documents.text[start:end]
    score          REAL,
    meta           TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX spans_annotation ON spans (annotation_id, position);

CREATE TRIGGER annotations_append_only_update BEFORE UPDATE ON annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
CREATE TRIGGER annotations_append_only_delete BEFORE DELETE ON annotations
BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
CREATE TRIGGER spans_append_only_update BEFORE UPDATE ON spans
BEGIN SELECT RAISE(ABORT, 'spans are append-only'); END;

-- The latest revision of every document.
CREATE VIEW current_annotations AS
SELECT a.* FROM annotations a
WHERE a.revision = (SELECT MAX(b.revision) FROM annotations b WHERE b.document_id = a.document_id);
