-- People and groups reach search in durable mode from their grains' stored state, as posts and
-- comments reach it from the activity log: a trigger on rse_grain_state queues the person or
-- group whose state was written, in the same transaction as the write, and the indexer
-- (Search/OwnerSearchIndexer.cs) indexes each as its grain holds it now and dequeues it. So a
-- profile changed while the index was away, or just before its process died, is indexed once
-- the indexer runs again, without a further change.
--
-- The stored state is opaque here, so every write of a user or group grain queues its owner (a
-- follow, a join too, not only a profile change); a post's write costs only the trigger's test
-- of its grain type.

CREATE TABLE IF NOT EXISTS rse_search_owners_pending
(
    seq         bigserial NOT NULL PRIMARY KEY,
    grain_type  text      NOT NULL,  -- 'user' or 'group'
    owner_id    text      NOT NULL
);

CREATE OR REPLACE FUNCTION rse_search_enqueue_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rse_search_owners_pending (grain_type, owner_id) VALUES (NEW.grain_type, NEW.grain_id_extension);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS rse_grain_state_to_search ON rse_grain_state;
CREATE TRIGGER rse_grain_state_to_search AFTER INSERT OR UPDATE ON rse_grain_state
    FOR EACH ROW WHEN (NEW.grain_type IN ('user', 'group') AND NEW.grain_id_extension IS NOT NULL)
    EXECUTE FUNCTION rse_search_enqueue_owner();
