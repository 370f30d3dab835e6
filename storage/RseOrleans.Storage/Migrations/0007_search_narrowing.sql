-- Search that does less work per query (Search/PostgresSearchIndex.cs): each text says who may
-- find it and in which month it was written, as index conditions; names are looked up word by
-- word; topics keep a summary. Everything here is derived from 0006's tables by triggers, so the
-- writers stay as they were.

-- Who may find a text, as an index can narrow by it before a single row is read: '' a profile
-- post's, '*' an open group's, otherwise the group's id (closed or secret: its members only). The
-- API still checks each hit against the live rules; this only keeps out what cannot be shown.
ALTER TABLE rse_search_content ADD COLUMN IF NOT EXISTS scope text;

CREATE OR REPLACE FUNCTION rse_search_scope(group_id text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN group_id IS NULL THEN ''
        WHEN EXISTS (SELECT 1 FROM rse_search_groups g WHERE g.group_id = rse_search_scope.group_id AND g.visibility = 'open') THEN '*'
        ELSE group_id
    END
$$;

-- The month a text was written (UTC), as a lexeme of its document with weight D, which no query
-- word asks for (they ask A, B or C) and no text can produce (the parser never keeps '~'): a
-- search of recent texts is one GIN scan of its words and the months, not a read of every match.
CREATE OR REPLACE FUNCTION rse_search_month(created_at timestamptz) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(array_to_tsvector(ARRAY['~m' || to_char(created_at AT TIME ZONE 'UTC', 'YYYYMM')]), 'D')
$$;

-- Rewriting every row is faster without the text index, which is built again below.
DROP INDEX IF EXISTS rse_search_content_document;
UPDATE rse_search_content
   SET scope = rse_search_scope(group_id), document = document || rse_search_month(created_at)
 WHERE scope IS NULL;
ALTER TABLE rse_search_content ALTER COLUMN scope SET NOT NULL;
CREATE INDEX IF NOT EXISTS rse_search_content_document ON rse_search_content USING gin (document);

CREATE OR REPLACE FUNCTION rse_search_content_derived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.scope := rse_search_scope(NEW.group_id);
    NEW.document := NEW.document || rse_search_month(NEW.created_at);
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS rse_search_content_derived ON rse_search_content;
CREATE TRIGGER rse_search_content_derived BEFORE INSERT OR UPDATE OF group_id, document, created_at ON rse_search_content
    FOR EACH ROW EXECUTE FUNCTION rse_search_content_derived();

-- A group indexed for the first time, or whose visibility changed, moves its texts' scope.
CREATE OR REPLACE FUNCTION rse_search_group_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.visibility IS DISTINCT FROM NEW.visibility THEN
        UPDATE rse_search_content
           SET scope = CASE WHEN NEW.visibility = 'open' THEN '*' ELSE NEW.group_id END
         WHERE group_id = NEW.group_id
           AND scope IS DISTINCT FROM CASE WHEN NEW.visibility = 'open' THEN '*' ELSE NEW.group_id END;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS rse_search_group_scope ON rse_search_groups;
CREATE TRIGGER rse_search_group_scope AFTER INSERT OR UPDATE OF visibility ON rse_search_groups
    FOR EACH ROW EXECUTE FUNCTION rse_search_group_scope();

CREATE INDEX IF NOT EXISTS rse_search_content_scope ON rse_search_content (scope);
CREATE INDEX IF NOT EXISTS rse_search_content_group ON rse_search_content (group_id);

-- The folded words of people's and groups' names (kind 1 a person, 2 a group), in byte order so
-- that a prefix is a range of the primary key: typeahead reads a few index entries, not every name.
CREATE TABLE IF NOT EXISTS rse_search_name_words
(
    word  text COLLATE "C" NOT NULL,
    kind  smallint NOT NULL,
    id    text     NOT NULL,
    PRIMARY KEY (word, kind, id)
);

CREATE INDEX IF NOT EXISTS rse_search_name_words_owner ON rse_search_name_words (kind, id);

CREATE OR REPLACE FUNCTION rse_search_name_words_of() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner_kind smallint;
    old_owner text;
    new_owner text;
BEGIN
    IF TG_TABLE_NAME = 'rse_search_people' THEN
        owner_kind := 1;
        IF TG_OP <> 'INSERT' THEN old_owner := OLD.user_id; END IF;
        IF TG_OP <> 'DELETE' THEN new_owner := NEW.user_id; END IF;
    ELSE
        owner_kind := 2;
        IF TG_OP <> 'INSERT' THEN old_owner := OLD.group_id; END IF;
        IF TG_OP <> 'DELETE' THEN new_owner := NEW.group_id; END IF;
    END IF;
    IF old_owner IS NOT NULL THEN
        DELETE FROM rse_search_name_words w WHERE w.kind = owner_kind AND w.id = old_owner;
    END IF;
    IF new_owner IS NOT NULL THEN
        INSERT INTO rse_search_name_words (word, kind, id)
        SELECT DISTINCT w, owner_kind, new_owner FROM unnest(string_to_array(NEW.names, ' ')) AS w WHERE w <> ''
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

-- Both tables keep their folded words, space separated, in their "names" column.
DROP TRIGGER IF EXISTS rse_search_people_words ON rse_search_people;
CREATE TRIGGER rse_search_people_words AFTER INSERT OR UPDATE OF names OR DELETE ON rse_search_people
    FOR EACH ROW EXECUTE FUNCTION rse_search_name_words_of();

DROP TRIGGER IF EXISTS rse_search_groups_words ON rse_search_groups;
CREATE TRIGGER rse_search_groups_words AFTER INSERT OR UPDATE OF names OR DELETE ON rse_search_groups
    FOR EACH ROW EXECUTE FUNCTION rse_search_name_words_of();

CREATE OR REPLACE FUNCTION rse_search_name_words_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM rse_search_name_words WHERE kind = CASE TG_TABLE_NAME WHEN 'rse_search_people' THEN 1 ELSE 2 END;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS rse_search_people_words_truncate ON rse_search_people;
CREATE TRIGGER rse_search_people_words_truncate AFTER TRUNCATE ON rse_search_people
    FOR EACH STATEMENT EXECUTE FUNCTION rse_search_name_words_truncate();

DROP TRIGGER IF EXISTS rse_search_groups_words_truncate ON rse_search_groups;
CREATE TRIGGER rse_search_groups_words_truncate AFTER TRUNCATE ON rse_search_groups
    FOR EACH STATEMENT EXECUTE FUNCTION rse_search_name_words_truncate();

INSERT INTO rse_search_name_words (word, kind, id)
SELECT DISTINCT word, 1::smallint, user_id FROM rse_search_people, unnest(string_to_array(names, ' ')) AS word WHERE word <> ''
ON CONFLICT DO NOTHING;
INSERT INTO rse_search_name_words (word, kind, id)
SELECT DISTINCT word, 2::smallint, group_id FROM rse_search_groups, unnest(string_to_array(names, ' ')) AS word WHERE word <> ''
ON CONFLICT DO NOTHING;

-- Topics: when each tag was last used, so that typeahead over topics reads one row per tag. A
-- tag whose texts were all deleted keeps its row; the API shows a topic only with a post its
-- reader may see, so such a row is never shown.
CREATE TABLE IF NOT EXISTS rse_search_topic_summary
(
    tag     text COLLATE "C" NOT NULL PRIMARY KEY,
    newest  timestamptz NOT NULL
);

CREATE OR REPLACE FUNCTION rse_search_topic_summary_of() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In tag order, so that two batches touching the same tags lock them in the same order.
    INSERT INTO rse_search_topic_summary (tag, newest)
    SELECT tag, max(created_at) FROM added GROUP BY tag ORDER BY tag
    ON CONFLICT (tag) DO UPDATE SET newest = greatest(rse_search_topic_summary.newest, EXCLUDED.newest);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS rse_search_topics_summary ON rse_search_topics;
CREATE TRIGGER rse_search_topics_summary AFTER INSERT ON rse_search_topics
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION rse_search_topic_summary_of();

CREATE OR REPLACE FUNCTION rse_search_topic_summary_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE rse_search_topic_summary;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS rse_search_topics_summary_truncate ON rse_search_topics;
CREATE TRIGGER rse_search_topics_summary_truncate AFTER TRUNCATE ON rse_search_topics
    FOR EACH STATEMENT EXECUTE FUNCTION rse_search_topic_summary_truncate();

INSERT INTO rse_search_topic_summary (tag, newest)
SELECT tag, max(created_at) FROM rse_search_topics GROUP BY tag
ON CONFLICT (tag) DO UPDATE SET newest = greatest(rse_search_topic_summary.newest, EXCLUDED.newest);

-- A topic's most recent texts, read newest first without sorting the tag's every row.
CREATE INDEX IF NOT EXISTS rse_search_topics_newest ON rse_search_topics (tag, created_at DESC);

-- Typeahead reads the word table above; the trigram indexes of 0006 served the regular
-- expressions it used before and no query reads them any more.
DROP INDEX IF EXISTS rse_search_people_names;
DROP INDEX IF EXISTS rse_search_groups_names;
