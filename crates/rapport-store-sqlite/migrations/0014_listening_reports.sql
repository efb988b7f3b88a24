-- Listening reports narrow posts by their creation time first: one index on it, so a report
-- over a week of a large store reads that week's posts only.
CREATE INDEX posts_created ON posts (created_at);
