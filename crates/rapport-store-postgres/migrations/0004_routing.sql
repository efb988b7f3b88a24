-- Routing's place in the post log: every post with an id up to `routed_through` has been
-- routed (opened, joined or left out of a case), every post above it has not. Post ids grow
-- in commit order (ids are taken under the ingest advisory lock, held
-- until commit), so the posts above the watermark are exactly those not
-- routed yet, a crash's leftovers included. A routing pass moves the watermark in the same
-- transaction as its case writes, on the condition that it still is where the pass read it.
CREATE TABLE routing_watermark (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    routed_through BIGINT NOT NULL
);

-- A store upgraded to this version routed its posts as they came in: none is routed again.
INSERT INTO routing_watermark (id, routed_through) SELECT 1, COALESCE(MAX(id), 0) FROM posts;
