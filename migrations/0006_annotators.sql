-- Several annotators. A pool document may need two independent annotations (the project's
-- `double_annotation` share): until it has them, each annotator edits a line of their own
-- (their revisions on top of the import's), blind to the other's. `workbench agreement`
-- compares the lines; an adjudicated revision, which names the revisions it settles, makes
-- the document one again.

ALTER TABLE documents ADD COLUMN annotators INTEGER NOT NULL DEFAULT 1 CHECK (annotators >= 1);

ALTER TABLE annotations ADD COLUMN adjudicates TEXT;  -- JSON [revision, ...], or NULL

CREATE INDEX annotations_document_author ON annotations (document_id, author, revision);
