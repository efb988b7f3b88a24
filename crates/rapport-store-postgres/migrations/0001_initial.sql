-- Rapport's schema on PostgreSQL. Entity lists are JSON arrays of strings.

CREATE TABLE contacts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE identities (
    id BIGSERIAL PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    network TEXT NOT NULL,
    -- lowercased, without '@': the lookup key
    handle_key TEXT NOT NULL,
    -- as last seen, original case
    handle TEXT NOT NULL,
    native_id TEXT,
    display_name TEXT,
    followers BIGINT,
    own_account BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (network, handle_key)
);
CREATE INDEX identities_contact ON identities (contact_id);
CREATE INDEX identities_own ON identities (own_account) WHERE own_account;

-- A thread. Merged conversations stay as rows pointing at the one that absorbed them, so an
-- id handed out once keeps leading to its thread and is never reused.
CREATE TABLE conversations (
    id BIGSERIAL PRIMARY KEY,
    network TEXT NOT NULL,
    root_post_id BIGINT,
    merged_into BIGINT REFERENCES conversations (id)
);
CREATE INDEX conversations_merged_into ON conversations (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE posts (
    id BIGSERIAL PRIMARY KEY,
    network TEXT NOT NULL,
    native_id TEXT NOT NULL,
    identity_id BIGINT NOT NULL REFERENCES identities (id),
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    -- the author as the source described them when the post arrived
    author_handle TEXT NOT NULL,
    author_native_id TEXT,
    author_display_name TEXT,
    author_followers BIGINT,
    author_own BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    lang TEXT,
    reply_to TEXT,
    reply_to_handle TEXT,
    root_id TEXT,
    mentions JSONB NOT NULL,
    hashtags JSONB NOT NULL,
    cashtags JSONB NOT NULL,
    links JSONB NOT NULL,
    likes BIGINT NOT NULL,
    reposts BIGINT NOT NULL,
    replies BIGINT NOT NULL,
    quotes BIGINT NOT NULL,
    raw TEXT NOT NULL,
    -- labels: present when sentiment is not null
    sentiment TEXT,
    sentiment_score REAL,
    intents SMALLINT,
    label_lang TEXT,
    urgency TEXT,
    is_mention BOOLEAN NOT NULL DEFAULT FALSE,
    from_own_account BOOLEAN NOT NULL DEFAULT FALSE,
    -- words of the text with accents removed and case folded (computed by the store so that
    -- both backends see the same words)
    search TSVECTOR NOT NULL,
    UNIQUE (network, native_id)
);
CREATE INDEX posts_reply_to ON posts (network, reply_to) WHERE reply_to IS NOT NULL;
CREATE INDEX posts_root_id ON posts (network, root_id) WHERE root_id IS NOT NULL;
CREATE INDEX posts_conversation ON posts (conversation_id, created_at);
CREATE INDEX posts_identity ON posts (identity_id, created_at);
CREATE INDEX posts_mentions ON posts (created_at) WHERE is_mention;
CREATE INDEX posts_search ON posts USING GIN (search);

-- Handles a post mentions or replies to, kept so that posts can be marked as mentions when an
-- account becomes one of the company's own after they were stored.
CREATE TABLE post_mentions (
    post_id BIGINT NOT NULL REFERENCES posts (id),
    network TEXT NOT NULL,
    handle_key TEXT NOT NULL,
    PRIMARY KEY (post_id, handle_key)
);
CREATE INDEX post_mentions_handle ON post_mentions (network, handle_key);

CREATE TABLE topics (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    query TEXT NOT NULL,
    options JSONB NOT NULL
);

CREATE TABLE post_topics (
    post_id BIGINT NOT NULL REFERENCES posts (id),
    topic_id BIGINT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, topic_id)
);
CREATE INDEX post_topics_topic ON post_topics (topic_id, post_id);
