-- Publications: posts composed once and sent to several channels, drafted, approved,
-- scheduled. Their parts go out through the outbox's ledger (0006), like the care desk's
-- replies, so they get the same exactly-once sending. Times are microseconds since the Unix
-- epoch (UTC), kept as BIGINT like the SQLite schema so both backends share their queries.

CREATE TABLE publications (
    id BIGSERIAL PRIMARY KEY,
    author BIGINT NOT NULL,
    -- the text composed once; a variant may replace it for its channel
    body TEXT NOT NULL,
    -- draft, in_review, scheduled, publishing, published, failed
    status TEXT NOT NULL,
    -- when it goes out; NULL: as soon as it is approved
    scheduled_for BIGINT,
    -- the IANA time zone the author scheduled in
    time_zone TEXT NOT NULL,
    reviewer BIGINT,
    review_comment TEXT,
    -- when its parts went into the outbox, and when the last one was confirmed
    released_at BIGINT,
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX publications_status ON publications (status, id);
-- What the scheduler looks for.
CREATE INDEX publications_due ON publications (scheduled_for, id) WHERE status = 'scheduled';
-- The calendar: publications by the time they go (or went) out.
CREATE INDEX publications_slot ON publications ((COALESCE(scheduled_for, released_at)), id);

CREATE TABLE publication_variants (
    publication_id BIGINT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    -- NULL once the channel is removed; its name stays for the history
    channel_id BIGINT REFERENCES channels (id) ON DELETE SET NULL,
    channel_name TEXT NOT NULL,
    network TEXT NOT NULL,
    -- the text as edited for this channel; NULL follows the publication's body
    text TEXT,
    -- JSON array of the posts it goes out as, in order
    parts TEXT NOT NULL,
    PRIMARY KEY (publication_id, position)
);

-- The outbox now holds publication parts beside case replies.
ALTER TABLE outbox ALTER COLUMN case_id DROP NOT NULL;
-- a publication's part: which publication, which variant (its position) and which part of its
-- thread (from 1)
ALTER TABLE outbox ADD COLUMN publication_id BIGINT REFERENCES publications (id);
ALTER TABLE outbox ADD COLUMN variant BIGINT;
ALTER TABLE outbox ADD COLUMN part BIGINT;
-- the part this one answers in its thread: it is not sent before that one is
ALTER TABLE outbox ADD COLUMN after_entry BIGINT REFERENCES outbox (id);
ALTER TABLE outbox ADD CONSTRAINT outbox_owner CHECK (case_id IS NOT NULL OR publication_id IS NOT NULL);
CREATE INDEX outbox_publication ON outbox (publication_id, id) WHERE publication_id IS NOT NULL;
