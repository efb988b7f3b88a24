-- Reads per channel and calendar month (UTC, 'YYYY-MM'): X bills per post read, and a
-- channel with a monthly read budget stops when its month's reads reach it.

CREATE TABLE channel_reads (
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    reads INTEGER NOT NULL,
    PRIMARY KEY (channel_id, month)
);

-- channels.state may now also be 'paused' (stopped until a set time: its budget is spent).
