-- The activity log: every post's activity, appended once and never updated. It is what a home
-- feed is rebuilt from when neither the feed grain nor Redis has it, what paging reads past a
-- source's in-memory window, and what search will index.

CREATE TABLE IF NOT EXISTS rse_activity
(
    -- Time-ordered id of the activity: the post id for a post, the comment id for a comment, a
    -- fresh id for an edit or a delete. A retry appends the same id again and is ignored.
    activity_id  bigint      NOT NULL,
    kind         smallint    NOT NULL,  -- 1 posted, 2 edited, 3 deleted, 4 commented, 5 comment deleted
    post_id      bigint      NOT NULL,
    -- "user:<id>" or "group:<id>": where the post was published.
    source_key   text        NOT NULL,
    actor_id     text        NOT NULL,
    body         text        NULL,
    occurred_at  timestamptz NOT NULL,
    PRIMARY KEY (activity_id, kind)
);

-- Rebuilding a home feed merges the newest posts of hundreds of sources, and paging a group or a
-- profile walks one source backwards: both are range scans of this index.
CREATE INDEX IF NOT EXISTS rse_activity_posts_by_source
    ON rse_activity (source_key, post_id DESC) WHERE kind = 1;

-- Everything that happened to one post; also how a rebuild leaves out deleted posts.
CREATE INDEX IF NOT EXISTS rse_activity_by_post ON rse_activity (post_id, kind);

-- Search (a later issue) reads the text through this index.
CREATE INDEX IF NOT EXISTS rse_activity_text
    ON rse_activity USING gin (to_tsvector('simple', body)) WHERE body IS NOT NULL;

-- Posts whose fan-out has not been confirmed complete. A row is written with the post's
-- activity and removed once every audience member's feed has it; a silo that finds an old row
-- asks the source to deliver again (deliveries are idempotent), so a silo that dies in the middle
-- of a fan-out loses no delivery.
CREATE TABLE IF NOT EXISTS rse_fanout_pending
(
    post_id     bigint      NOT NULL PRIMARY KEY,
    source_key  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS rse_fanout_pending_age ON rse_fanout_pending (created_at);
