-- The care inbox on SQLite: teams, SLA policies, cases with their posts, audit log, notes,
-- saved replies, the reply outbox, contact fields and leads. Times are microseconds since the
-- Unix epoch (UTC), as in 0001. User ids are plain integers: users live elsewhere.
--
-- Inbox views read only active cases (new, open, pending), so every view index is partial on
-- `active = 1` and ends with a sort key and the id: a page is one index range, whatever the
-- number of resolved and closed cases. Sort keys:
--   prio_key      priority rank * 10^12 + (10^12 - 1 - opened second): descending gives the most
--                 urgent first and, within a priority, the oldest first
--   due_key       the earliest running SLA due instant, or the largest integer when none
--   last_activity_at  the latest post of the case

CREATE TABLE care_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sla_policies (
    name TEXT PRIMARY KEY,
    -- rapport_domain::SlaPolicy as JSON
    policy TEXT NOT NULL
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- JSON array of user ids, in round-robin order
    members TEXT NOT NULL,
    -- rapport_domain::BusinessCalendar as JSON
    calendar TEXT NOT NULL,
    sla_policy TEXT,
    -- the round-robin cursor: the member who got the last case
    last_assigned INTEGER
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    network TEXT NOT NULL,
    status TEXT NOT NULL,
    status_since INTEGER NOT NULL,
    active INTEGER NOT NULL,
    -- 0 low, 1 normal, 2 high, 3 urgent
    priority INTEGER NOT NULL,
    assignee INTEGER,
    team_id INTEGER REFERENCES teams (id),
    -- JSON array of lowercase tags
    tags TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    last_customer_post_at INTEGER,
    last_agent_reply_at INTEGER,
    last_activity_at INTEGER NOT NULL,
    preview TEXT NOT NULL,
    -- JSON array of the topic ids that routed posts into the case
    topics TEXT NOT NULL,
    first_response_due INTEGER,
    next_response_due INTEGER,
    resolution_due INTEGER,
    -- worst state of the open clocks at the last evaluation: ok, at_risk, breached
    sla_state TEXT,
    -- 0 ok or none, 1 at risk, 2 breached
    sla_rank INTEGER NOT NULL DEFAULT 0,
    -- when the first running clock becomes at risk (for the sweep that refreshes states)
    at_risk_at INTEGER,
    sla_evaluated_at INTEGER,
    prio_key INTEGER NOT NULL,
    due_key INTEGER NOT NULL,
    -- bumped on every save; a save naming an older version is refused
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_conversation ON cases (conversation_id, id);
CREATE INDEX cases_contact ON cases (contact_id, opened_at);
CREATE INDEX cases_open_prio ON cases (prio_key, id) WHERE active = 1;
CREATE INDEX cases_open_due ON cases (due_key, id) WHERE active = 1;
CREATE INDEX cases_open_activity ON cases (last_activity_at, id) WHERE active = 1;
CREATE INDEX cases_assignee_prio ON cases (assignee, prio_key, id) WHERE active = 1;
CREATE INDEX cases_assignee_due ON cases (assignee, due_key, id) WHERE active = 1;
CREATE INDEX cases_assignee_activity ON cases (assignee, last_activity_at, id) WHERE active = 1;
CREATE INDEX cases_team_prio ON cases (team_id, prio_key, id) WHERE active = 1;
CREATE INDEX cases_team_due ON cases (team_id, due_key, id) WHERE active = 1;
CREATE INDEX cases_team_activity ON cases (team_id, last_activity_at, id) WHERE active = 1;
CREATE INDEX cases_priority_prio ON cases (priority, prio_key, id) WHERE active = 1;
CREATE INDEX cases_priority_due ON cases (priority, due_key, id) WHERE active = 1;
CREATE INDEX cases_priority_activity ON cases (priority, last_activity_at, id) WHERE active = 1;
CREATE INDEX cases_risk_prio ON cases (prio_key, id) WHERE active = 1 AND sla_rank > 0;
CREATE INDEX cases_risk_due ON cases (due_key, id) WHERE active = 1 AND sla_rank > 0;
CREATE INDEX cases_risk_activity ON cases (last_activity_at, id) WHERE active = 1 AND sla_rank > 0;
CREATE INDEX cases_sla_sweep ON cases (at_risk_at) WHERE active = 1 AND at_risk_at IS NOT NULL;

-- The topics a case came in by, with the case's sort keys copied so that the by-topic view is
-- one index range too; rewritten whenever the case is saved.
CREATE TABLE case_topics (
    topic_id INTEGER NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    active INTEGER NOT NULL,
    prio_key INTEGER NOT NULL,
    due_key INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    PRIMARY KEY (topic_id, case_id)
) WITHOUT ROWID;
CREATE INDEX case_topics_case ON case_topics (case_id);
CREATE INDEX case_topics_prio ON case_topics (topic_id, prio_key, case_id) WHERE active = 1;
CREATE INDEX case_topics_due ON case_topics (topic_id, due_key, case_id) WHERE active = 1;
CREATE INDEX case_topics_activity ON case_topics (topic_id, last_activity_at, case_id) WHERE active = 1;

CREATE TABLE case_posts (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    post_id INTEGER NOT NULL REFERENCES posts (id),
    -- 1 for the customer's posts, 0 for replies from own accounts
    from_customer INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (case_id, post_id)
) WITHOUT ROWID;
CREATE INDEX case_posts_post ON case_posts (post_id);

-- The audit log: one rapport_domain::CaseEvent per row, as JSON, never updated.
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    at INTEGER NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    author INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

-- What the customer wrote in a case, one row per post, for finding similar past cases.
CREATE VIRTUAL TABLE case_search USING fts5 (
    case_id UNINDEXED,
    text,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE saved_replies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    shortcut TEXT UNIQUE
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    network TEXT NOT NULL,
    in_reply_to INTEGER REFERENCES posts (id),
    body TEXT NOT NULL,
    author INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    -- queued, sent, failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_native_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_case ON outbox (case_id, id);

CREATE TABLE contact_fields (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts (id),
    email TEXT,
    company TEXT,
    crm_id TEXT,
    -- JSON array of lowercase tags
    tags TEXT NOT NULL,
    stage TEXT,
    -- set when this contact was merged into another; its identities and cases moved there
    merged_into INTEGER REFERENCES contacts (id)
);

CREATE TABLE leads (
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    post_id INTEGER NOT NULL REFERENCES posts (id),
    at INTEGER NOT NULL,
    PRIMARY KEY (contact_id, post_id)
) WITHOUT ROWID;
CREATE INDEX leads_at ON leads (at);
