-- Publications: posts composed once and sent to several channels, drafted, approved,
-- scheduled. Their parts go out through the outbox's ledger (0006), like the care desk's
-- replies, so they get the same exactly-once sending. Times are microseconds since the Unix
-- epoch (UTC), as in 0001.

CREATE TABLE publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    author INTEGER NOT NULL,
    -- the text composed once; a variant may replace it for its channel
    body TEXT NOT NULL,
    -- draft, in_review, scheduled, publishing, published, failed
    status TEXT NOT NULL,
    -- when it goes out; NULL: as soon as it is approved
    scheduled_for INTEGER,
    -- the IANA time zone the author scheduled in
    time_zone TEXT NOT NULL,
    reviewer INTEGER,
    review_comment TEXT,
    -- when its parts went into the outbox, and when the last one was confirmed
    released_at INTEGER,
    published_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX publications_status ON publications (status, id);
-- What the scheduler looks for.
CREATE INDEX publications_due ON publications (scheduled_for, id) WHERE status = 'scheduled';
-- The calendar: publications by the time they go (or went) out.
CREATE INDEX publications_slot ON publications (COALESCE(scheduled_for, released_at), id);

CREATE TABLE publication_variants (
    publication_id INTEGER NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    -- NULL once the channel is removed; its name stays for the history
    channel_id INTEGER REFERENCES channels (id) ON DELETE SET NULL,
    channel_name TEXT NOT NULL,
    network TEXT NOT NULL,
    -- the text as edited for this channel; NULL follows the publication's body
    text TEXT,
    -- JSON array of the posts it goes out as, in order
    parts TEXT NOT NULL,
    PRIMARY KEY (publication_id, position)
);

-- The outbox now holds publication parts beside case replies: case_id becomes optional,
-- which SQLite can only do by building the table again (its documented 12-step way; no
-- other table refers to outbox). Every row and column is kept.
CREATE TABLE outbox_next (
    id INTEGER PRIMARY KEY,
    case_id INTEGER REFERENCES cases (id),
    network TEXT NOT NULL,
    in_reply_to INTEGER REFERENCES posts (id),
    body TEXT NOT NULL,
    author INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_native_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    channel_id INTEGER REFERENCES channels (id) ON DELETE SET NULL,
    publish_key TEXT,
    not_before INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER,
    reconcile INTEGER NOT NULL DEFAULT 0,
    first_attempt_at INTEGER,
    sent_url TEXT,
    sent_at INTEGER,
    -- a publication's part: which publication, which variant (its position) and which part
    -- of its thread (from 1)
    publication_id INTEGER REFERENCES publications (id),
    variant INTEGER,
    part INTEGER,
    -- the part this one answers in its thread: it is not sent before that one is
    after_entry INTEGER REFERENCES outbox_next (id),
    CHECK (case_id IS NOT NULL OR publication_id IS NOT NULL)
);
INSERT INTO outbox_next (id, case_id, network, in_reply_to, body, author, idempotency_key,
    status, attempts, last_error, sent_native_id, created_at, updated_at, channel_id,
    publish_key, not_before, lease_until, reconcile, first_attempt_at, sent_url, sent_at)
SELECT id, case_id, network, in_reply_to, body, author, idempotency_key, status, attempts,
    last_error, sent_native_id, created_at, updated_at, channel_id, publish_key, not_before,
    lease_until, reconcile, first_attempt_at, sent_url, sent_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_case ON outbox (case_id, id);
CREATE INDEX outbox_due ON outbox (network, not_before, id)
    WHERE status IN ('queued', 'unknown', 'sending');
CREATE INDEX outbox_sent_native ON outbox (network, sent_native_id)
    WHERE sent_native_id IS NOT NULL;
CREATE INDEX outbox_publication ON outbox (publication_id, id) WHERE publication_id IS NOT NULL;
