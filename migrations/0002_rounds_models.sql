-- Training rounds and the models they produce; one model at most is active.

CREATE TABLE rounds (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL DEFAULT 'retrain',  -- 'train', 'retrain', 'simulate'
    strategy        TEXT,
    status          TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    train_documents INTEGER,
    train_sentences INTEGER,
    train_tokens    INTEGER,
    progress_step   INTEGER NOT NULL DEFAULT 0,
    progress_total  INTEGER NOT NULL DEFAULT 0,
    metrics         TEXT NOT NULL DEFAULT '{}',       -- JSON: seqeval per label + micro, token accuracy
    timings         TEXT NOT NULL DEFAULT '{}',       -- JSON: seconds per phase
    error           TEXT,
    pid             INTEGER,
    started_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at     TEXT
);

CREATE TABLE models (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER REFERENCES rounds(id),
    path        TEXT NOT NULL,
    base_model  TEXT NOT NULL,
    metrics     TEXT NOT NULL DEFAULT '{}',
    is_active   INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX models_one_active ON models (is_active) WHERE is_active = 1;
