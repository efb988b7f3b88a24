-- Single sign-on: which provider account (issuer and subject, as OpenID Connect names them)
-- signs in as which user. The subject is the provider's stable id for the person; the user's
-- name and email may change there without breaking the link.
CREATE TABLE user_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_sign_in_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- A session opened through the provider: the provider answers for the second factor, so
-- Rapport's own two-factor policy does not hold it back.
ALTER TABLE user_sessions ADD COLUMN single_sign_on BOOLEAN NOT NULL DEFAULT FALSE;
