-- Active learning: each round scores the unlabelled pool; the queue follows the latest scores.

ALTER TABLE rounds ADD COLUMN phase TEXT NOT NULL DEFAULT 'training';  -- training, scoring, done
ALTER TABLE rounds ADD COLUMN promoted INTEGER NOT NULL DEFAULT 0;

CREATE TABLE queue_scores (
    round_id     INTEGER NOT NULL REFERENCES rounds(id),
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    strategy     TEXT NOT NULL,
    score        REAL NOT NULL,
    PRIMARY KEY (round_id, document_id)
);
CREATE INDEX queue_scores_document ON queue_scores (document_id);
