-- Channels: the network accounts Rapport listens through, with the ledger of each live source
-- (its checkpoint, saved only after what it read is stored) and the periods it could not cover.
-- Times are microseconds since the Unix epoch (UTC), as in 0001. `secret` is ciphertext made by
-- the engine: the store never sees a credential in clear.

CREATE TABLE channels (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    network TEXT NOT NULL,
    -- the network's settings that are not secret (instance URL, handle, firehose URL), JSON
    config TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    -- new, connected, reconnecting, failing
    state TEXT NOT NULL DEFAULT 'new',
    last_error TEXT,
    last_error_at BIGINT,
    -- rapport_connectors::Checkpoint as JSON; NULL until the first batch is stored
    checkpoint TEXT,
    checkpoint_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE channel_gaps (
    id BIGSERIAL PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    from_at BIGINT NOT NULL,
    to_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE INDEX channel_gaps_by_channel ON channel_gaps (channel_id, from_at);

-- When the network said a post was deleted. The post is kept marked, not removed: its case's
-- history stays whole, and what the company shows of it can leave it out.
ALTER TABLE posts ADD COLUMN deleted_at BIGINT;
