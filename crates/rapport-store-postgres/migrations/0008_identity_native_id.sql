-- Identities by their network id (a DID on Bluesky): a network's "account deleted" event names
-- the account that way, and every post of it is then marked deleted.
CREATE INDEX identities_native_id ON identities (network, native_id) WHERE native_id IS NOT NULL;
