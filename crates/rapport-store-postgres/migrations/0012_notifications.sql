-- Notifications for an agent (assigned, customer replied, mentioned, SLA at risk, breached)
-- and each user's settings for them. Times in milliseconds since the epoch.
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    case_id BIGINT,
    actor_id BIGINT,
    summary TEXT NOT NULL,
    -- the same event raised twice is kept once per user
    dedupe_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE notification_settings (
    user_id BIGINT PRIMARY KEY,
    -- the kinds recorded, comma-separated
    events TEXT NOT NULL,
    -- off, hourly or daily
    digest TEXT NOT NULL,
    email TEXT,
    -- an IANA time zone name
    time_zone TEXT NOT NULL,
    -- quiet hours, minutes after local midnight
    quiet_start INTEGER,
    quiet_end INTEGER,
    -- the newest notification a digest listed, and when it went out
    digest_through BIGINT NOT NULL DEFAULT 0,
    digest_sent_at BIGINT
);
