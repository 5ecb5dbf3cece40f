-- A document id appears once per project, and a file is imported once: an import records a
-- hash of its content. `workbench remove` marks documents removed (their revisions stay);
-- every query of live documents skips them. A revision records the revision it was based
-- on, so that a save made on a stale copy is refused instead of silently undoing another
-- session's edit.

ALTER TABLE imports ADD COLUMN content_hash TEXT;
CREATE INDEX imports_content_hash ON imports (content_hash);

ALTER TABLE documents ADD COLUMN removed_at TEXT;

ALTER TABLE annotations ADD COLUMN base_revision INTEGER;
