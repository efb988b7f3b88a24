-- Saved inbox views: a named filter set over a view, kept by its owner for themselves
-- (team_id empty) or for everyone in a team. No foreign key to users: users live elsewhere.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    owner BIGINT NOT NULL,
    team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- rapport_domain::care::InboxView as JSON
    view TEXT NOT NULL,
    -- rapport_domain::care::InboxFilter as JSON
    filter TEXT NOT NULL,
    UNIQUE (owner, name)
);
CREATE INDEX saved_views_team ON saved_views (team_id) WHERE team_id IS NOT NULL;
