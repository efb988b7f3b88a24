-- Rapport's schema on SQLite. Times are microseconds since the Unix epoch (UTC) so they sort
-- as integers; entity lists are JSON arrays of strings.

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE identities (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    network TEXT NOT NULL,
    -- lowercased, without '@': the lookup key
    handle_key TEXT NOT NULL,
    -- as last seen, original case
    handle TEXT NOT NULL,
    native_id TEXT,
    display_name TEXT,
    followers INTEGER,
    own_account INTEGER NOT NULL DEFAULT 0,
    UNIQUE (network, handle_key)
);
CREATE INDEX identities_contact ON identities (contact_id);
CREATE INDEX identities_own ON identities (own_account) WHERE own_account;

-- A thread. Merged conversations stay as rows pointing at the one that absorbed them, so an
-- id handed out once keeps leading to its thread and is never reused.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    network TEXT NOT NULL,
    root_post_id INTEGER,
    merged_into INTEGER REFERENCES conversations (id)
);
CREATE INDEX conversations_merged_into ON conversations (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    network TEXT NOT NULL,
    native_id TEXT NOT NULL,
    identity_id INTEGER NOT NULL REFERENCES identities (id),
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    -- the author as the source described them when the post arrived
    author_handle TEXT NOT NULL,
    author_native_id TEXT,
    author_display_name TEXT,
    author_followers INTEGER,
    author_own INTEGER NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    lang TEXT,
    reply_to TEXT,
    reply_to_handle TEXT,
    root_id TEXT,
    mentions TEXT NOT NULL,
    hashtags TEXT NOT NULL,
    cashtags TEXT NOT NULL,
    links TEXT NOT NULL,
    likes INTEGER NOT NULL,
    reposts INTEGER NOT NULL,
    replies INTEGER NOT NULL,
    quotes INTEGER NOT NULL,
    raw TEXT NOT NULL,
    -- labels: present when sentiment is not null
    sentiment TEXT,
    sentiment_score REAL,
    intents INTEGER,
    label_lang TEXT,
    urgency TEXT,
    is_mention INTEGER NOT NULL DEFAULT 0,
    from_own_account INTEGER NOT NULL DEFAULT 0,
    UNIQUE (network, native_id)
);
CREATE INDEX posts_reply_to ON posts (network, reply_to) WHERE reply_to IS NOT NULL;
CREATE INDEX posts_root_id ON posts (network, root_id) WHERE root_id IS NOT NULL;
CREATE INDEX posts_conversation ON posts (conversation_id, created_at);
CREATE INDEX posts_identity ON posts (identity_id, created_at);
CREATE INDEX posts_mentions ON posts (created_at) WHERE is_mention;

-- Handles a post mentions or replies to, kept so that posts can be marked as mentions when an
-- account becomes one of the company's own after they were stored.
CREATE TABLE post_mentions (
    post_id INTEGER NOT NULL REFERENCES posts (id),
    network TEXT NOT NULL,
    handle_key TEXT NOT NULL,
    PRIMARY KEY (post_id, handle_key)
) WITHOUT ROWID;
CREATE INDEX post_mentions_handle ON post_mentions (network, handle_key);

CREATE TABLE topics (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    query TEXT NOT NULL,
    options TEXT NOT NULL
);

CREATE TABLE post_topics (
    post_id INTEGER NOT NULL REFERENCES posts (id),
    topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX post_topics_topic ON post_topics (topic_id, post_id);

CREATE VIRTUAL TABLE posts_fts USING fts5 (
    text,
    content = 'posts',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO posts_fts (rowid, text) VALUES (new.id, new.text);
END;
