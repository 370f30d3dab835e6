-- Who may find a text, as lexemes of its document, so that a content search asks the one GIN
-- index for its words, its months and the reader's scopes together and the index intersects
-- their posting lists itself. Before, the scopes came from the btree of 0007 and PostgreSQL
-- combined it with the words' bitmap (BitmapAnd): every text of the corpus holding a searched
-- word went into a bitmap first, which was most of a search's cost (measured at 1,000,000 texts:
-- 2.4 ms for the 14,706 texts of one word alone, 1.1 ms for that word and a month intersected
-- inside the index; docs/performance.md).
--
-- Weight D and a leading '~', as the months of 0007: no query word asks for D and the parser
-- never keeps '~', so no text can produce them. '~p' a profile post's, '~o' an open group's, and
-- '~g' followed by the group's id for every text of a group, whatever its visibility (a member
-- finds their closed and secret groups' texts by it, a guest their open groups' ones).
CREATE OR REPLACE FUNCTION rse_search_scope_lexemes(scope text, group_id text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(array_to_tsvector(
        CASE WHEN group_id IS NULL THEN ARRAY['~p'] ELSE ARRAY['~g' || group_id] END
        || CASE WHEN scope = '*' THEN ARRAY['~o'] ELSE '{}'::text[] END), 'D')
$$;

-- The derived lexemes are made again whole on each write: the words (A, B, C) kept, the month and
-- the scopes (D) replaced, so that a text moved to another group or a group made open or closed
-- keeps no stale scope.
CREATE OR REPLACE FUNCTION rse_search_content_derived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.scope := rse_search_scope(NEW.group_id);
    NEW.document := ts_filter(NEW.document, '{a,b,c}') || rse_search_month(NEW.created_at) || rse_search_scope_lexemes(NEW.scope, NEW.group_id);
    RETURN NEW;
END
$$;

-- A group indexed for the first time, or whose visibility changed, moves its texts' scope: their
-- document is written again, which the trigger above derives anew.
CREATE OR REPLACE FUNCTION rse_search_group_scope() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.visibility IS DISTINCT FROM NEW.visibility THEN
        UPDATE rse_search_content
           SET document = document
         WHERE group_id = NEW.group_id
           AND scope IS DISTINCT FROM CASE WHEN NEW.visibility = 'open' THEN '*' ELSE NEW.group_id END;
    END IF;
    RETURN NULL;
END
$$;

-- Rewriting every row is faster without the text index, which is built again below.
DROP INDEX IF EXISTS rse_search_content_document;
UPDATE rse_search_content SET document = document;
CREATE INDEX IF NOT EXISTS rse_search_content_document ON rse_search_content USING gin (document);

-- No search reads the scopes' btree any more.
DROP INDEX IF EXISTS rse_search_content_scope;

-- A reader's scope lexemes as a query: any of them (NULL for none, which finds nothing).
CREATE OR REPLACE FUNCTION rse_search_scope_query(scopes text[]) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT string_agg('''' || replace(replace(s, '\', '\\'), '''', '''''') || ''':D', ' | ')::tsquery FROM unnest(scopes) AS s
$$;

-- New texts wait in the GIN index's pending list until a vacuum, an analysis or the list's limit
-- merges them in, and every search reads that whole list: 4 MB by default, some 10,000 texts.
-- With 3,700 texts waiting, a search cost PostgreSQL 7.7 ms of CPU instead of 3.7 ms (search
-- benchmark, docs/performance.md). 256 kB keeps it to a few hundred texts; the indexer's
-- transactions merge it more often.
ALTER INDEX rse_search_content_document SET (gin_pending_list_limit = 256);
