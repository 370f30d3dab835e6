-- Search in durable mode (Postgres/PostgresSearchIndex.cs): a derived copy of posts, comments,
-- people and groups, rebuildable from the activity log and the people and group grains.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Text search configurations that fold accents before looking words up, so that "réseau" and
-- "reseaux" meet, and so that ts_headline marks the words of the stored (accented) text.
-- rse_simple: lower case and folded, never stemmed (names, ids, words of neither language).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'rse_simple') THEN
        CREATE TEXT SEARCH CONFIGURATION rse_simple (COPY = simple);
        ALTER TEXT SEARCH CONFIGURATION rse_simple
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'rse_french') THEN
        CREATE TEXT SEARCH CONFIGURATION rse_french (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION rse_french
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'rse_english') THEN
        CREATE TEXT SEARCH CONFIGURATION rse_english (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION rse_english
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    END IF;
END
$$;

-- A text's document: its plain words weigh A, its French stems B, its English stems C, so that a
-- query can ask for each form where it belongs (a French stem never matches an English one).
-- IMMUTABLE because the configurations are fixed by this migration.
CREATE OR REPLACE FUNCTION rse_search_document(body text, language text, every_language boolean)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('rse_simple', body), 'A')
        || CASE WHEN every_language OR language = 'fr' THEN setweight(to_tsvector('rse_french', body), 'B') ELSE ''::tsvector END
        || CASE WHEN every_language OR language = 'en' THEN setweight(to_tsvector('rse_english', body), 'C') ELSE ''::tsvector END
$$;

-- A word or a phrase as a query: in its plain form, or as a French stem, or as an English stem.
-- NULL when it holds no word at all (it then matches nothing).
CREATE OR REPLACE FUNCTION rse_search_part(part text)
    RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(string_agg('(' || form || ')', ' | '), '')::tsquery
      FROM (SELECT regexp_replace(phraseto_tsquery(c.config, part)::text, '(''(?:[^'']|'''')*'')', '\1:' || c.weight, 'g') AS form
              FROM (VALUES ('rse_simple'::regconfig, 'A'), ('rse_french'::regconfig, 'B'), ('rse_english'::regconfig, 'C')) AS c(config, weight)) AS forms
     WHERE form <> ''
$$;

-- Every part must match; NULL when there is no part, or when one part can match nothing.
CREATE OR REPLACE FUNCTION rse_search_query(parts text[])
    RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN count(*) = count(q) AND count(*) > 0 THEN string_agg('(' || q::text || ')', ' & ')::tsquery END
      FROM (SELECT rse_search_part(p) AS q FROM unnest(parts) AS p) AS each_part
$$;

-- Posts (comment_id 0) and comments.
CREATE TABLE IF NOT EXISTS rse_search_content
(
    post_id     bigint      NOT NULL,
    comment_id  bigint      NOT NULL,
    author_id   text        NOT NULL,
    group_id    text        NULL,
    body        text        NOT NULL,
    language    text        NOT NULL,  -- 'fr' or 'en'
    created_at  timestamptz NOT NULL,
    hashtags    text[]      NOT NULL,  -- folded: lower case, no accents
    mentions    text[]      NOT NULL,
    has_link    boolean     NOT NULL,
    document    tsvector    NOT NULL,
    PRIMARY KEY (post_id, comment_id)
);

CREATE INDEX IF NOT EXISTS rse_search_content_document ON rse_search_content USING gin (document);
CREATE INDEX IF NOT EXISTS rse_search_content_newest ON rse_search_content (created_at DESC);
CREATE INDEX IF NOT EXISTS rse_search_content_author ON rse_search_content (author_id);
CREATE INDEX IF NOT EXISTS rse_search_content_hashtags ON rse_search_content USING gin (hashtags);
CREATE INDEX IF NOT EXISTS rse_search_content_mentions ON rse_search_content USING gin (mentions);

-- Topics for typeahead: one row per tag of a post or comment, read by prefix, newest first.
CREATE TABLE IF NOT EXISTS rse_search_topics
(
    tag         text COLLATE "C" NOT NULL,
    post_id     bigint      NOT NULL,
    comment_id  bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tag, post_id, comment_id),
    FOREIGN KEY (post_id, comment_id) REFERENCES rse_search_content (post_id, comment_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS rse_search_topics_content ON rse_search_topics (post_id, comment_id);

CREATE TABLE IF NOT EXISTS rse_search_people
(
    user_id       text     NOT NULL PRIMARY KEY,
    display_name  text     NOT NULL,
    -- Folded profile fields, compared exactly by the filters.
    title         text     NOT NULL,
    department    text     NOT NULL,
    location      text     NOT NULL,
    language      text     NOT NULL,
    skills        text[]   NOT NULL,
    -- Folded words of the name and id, space separated: typeahead by word start (pg_trgm).
    names         text     NOT NULL,
    document      tsvector NOT NULL
);

CREATE INDEX IF NOT EXISTS rse_search_people_document ON rse_search_people USING gin (document);
CREATE INDEX IF NOT EXISTS rse_search_people_names ON rse_search_people USING gin (names gin_trgm_ops);
CREATE INDEX IF NOT EXISTS rse_search_people_department ON rse_search_people (department);
CREATE INDEX IF NOT EXISTS rse_search_people_location ON rse_search_people (location);
CREATE INDEX IF NOT EXISTS rse_search_people_skills ON rse_search_people USING gin (skills);

CREATE TABLE IF NOT EXISTS rse_search_groups
(
    group_id    text     NOT NULL PRIMARY KEY,
    name        text     NOT NULL,
    visibility  text     NOT NULL,  -- 'open', 'closed' or 'secret'
    names       text     NOT NULL,
    document    tsvector NOT NULL
);

CREATE INDEX IF NOT EXISTS rse_search_groups_document ON rse_search_groups USING gin (document);
CREATE INDEX IF NOT EXISTS rse_search_groups_names ON rse_search_groups USING gin (names gin_trgm_ops);

-- What the indexer has still to apply: every activity appended, in the order the appends were
-- numbered. A row leaves in the same transaction that applies it, so that a silo that dies while
-- indexing leaves it for the next; rows that commit out of order are simply taken a round later.
CREATE TABLE IF NOT EXISTS rse_search_pending
(
    seq          bigserial NOT NULL PRIMARY KEY,
    activity_id  bigint    NOT NULL,
    kind         smallint  NOT NULL
);

CREATE OR REPLACE FUNCTION rse_search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rse_search_pending (activity_id, kind) VALUES (NEW.activity_id, NEW.kind);
    RETURN NULL;
END
$$;

-- An activity removed (an erasure) takes its post or comment out of search in the same
-- transaction: erasure reaches every copy.
CREATE OR REPLACE FUNCTION rse_search_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.kind = 1 THEN
        DELETE FROM rse_search_content WHERE post_id = OLD.post_id;
    ELSIF OLD.kind = 4 THEN
        DELETE FROM rse_search_content WHERE post_id = OLD.post_id AND comment_id = OLD.activity_id;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS rse_activity_to_search ON rse_activity;
CREATE TRIGGER rse_activity_to_search AFTER INSERT ON rse_activity
    FOR EACH ROW EXECUTE FUNCTION rse_search_enqueue();

DROP TRIGGER IF EXISTS rse_activity_out_of_search ON rse_activity;
CREATE TRIGGER rse_activity_out_of_search AFTER DELETE ON rse_activity
    FOR EACH ROW EXECUTE FUNCTION rse_search_forget();

-- Rebuilding the posts and comments: empty them and queue the whole log again, in the order it
-- happened (a post before its edits, comments and delete). Also what indexes a log written
-- before this migration.
CREATE OR REPLACE FUNCTION rse_search_requeue_all() RETURNS bigint LANGUAGE sql AS $$
    TRUNCATE rse_search_topics, rse_search_content, rse_search_pending;
    INSERT INTO rse_search_pending (activity_id, kind)
    SELECT activity_id, kind FROM rse_activity ORDER BY occurred_at, kind, activity_id;
    SELECT count(*) FROM rse_search_pending;
$$;

SELECT rse_search_requeue_all();
