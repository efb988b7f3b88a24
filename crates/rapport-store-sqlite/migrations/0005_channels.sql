-- Channels: the network accounts Rapport listens through, with the ledger of each live source
-- (its checkpoint, saved only after what it read is stored) and the periods it could not cover.
-- Times are microseconds since the Unix epoch (UTC), as in 0001. `secret` is ciphertext made by
-- the engine: the store never sees a credential in clear.

CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    network TEXT NOT NULL,
    -- the network's settings that are not secret (instance URL, handle, firehose URL), JSON
    config TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    -- new, connected, reconnecting, failing
    state TEXT NOT NULL DEFAULT 'new',
    last_error TEXT,
    last_error_at INTEGER,
    -- rapport_connectors::Checkpoint as JSON; NULL until the first batch is stored
    checkpoint TEXT,
    checkpoint_at INTEGER,
    created_at INTEGER NOT NULL
);

CREATE TABLE channel_gaps (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    from_at INTEGER NOT NULL,
    to_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);

CREATE INDEX channel_gaps_by_channel ON channel_gaps (channel_id, from_at);

-- When the network said a post was deleted. The post is kept marked, not removed: its case's
-- history stays whole, and what the company shows of it can leave it out.
ALTER TABLE posts ADD COLUMN deleted_at INTEGER;
