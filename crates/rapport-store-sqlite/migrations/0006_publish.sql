-- The publisher's ledger over the reply outbox. An entry moves queued -> sending -> sent, or to
-- failed (a permanent refusal, with its reason in last_error), or to unknown (an attempt whose
-- outcome is not known: reconciled with the network before anything is sent again). Times are
-- microseconds since the Unix epoch (UTC), as in 0001; flags are integers.

-- The channel that sends the entry; set by the first attempt and kept, so retries go out from
-- the same account.
ALTER TABLE outbox ADD COLUMN channel_id INTEGER REFERENCES channels (id) ON DELETE SET NULL;
-- Chosen before the first attempt and the same on every retry: the Bluesky record key, the
-- Mastodon Idempotency-Key.
ALTER TABLE outbox ADD COLUMN publish_key TEXT;
-- No attempt before this instant (backoff, a network's rate-limit reset).
ALTER TABLE outbox ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
-- While status is 'sending': the publisher holding the entry holds it until then; past it, the
-- holder is presumed dead and the entry is reconciled by the next one.
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
-- 1 once any attempt's outcome was unknown: every later attempt asks the network first.
ALTER TABLE outbox ADD COLUMN reconcile INTEGER NOT NULL DEFAULT 0;
-- When the first attempt started: reconciliation looks at what the account posted since.
ALTER TABLE outbox ADD COLUMN first_attempt_at INTEGER;
-- The published reply's address on the network, and when the network confirmed it.
ALTER TABLE outbox ADD COLUMN sent_url TEXT;
ALTER TABLE outbox ADD COLUMN sent_at INTEGER;

-- What the publisher looks for: entries it may take, soonest first.
CREATE INDEX outbox_due ON outbox (network, not_before, id)
    WHERE status IN ('queued', 'unknown', 'sending');
-- A post read back from a network is matched to the entry that published it.
CREATE INDEX outbox_sent_native ON outbox (network, sent_native_id)
    WHERE sent_native_id IS NOT NULL;
