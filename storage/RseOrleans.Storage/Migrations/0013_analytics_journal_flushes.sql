-- Each flush's entries carry the flush's number (issue 17), which the grains are sent with its
-- batches: a figures grain being rebuilt remembers the flushes it counted, live or replayed, and
-- counts each once. Numbers come from their own sequence, started past every entry id, so that an
-- entry from before this column (flush_id NULL) can stand for its own flush under its entry id.

CREATE SEQUENCE IF NOT EXISTS rse_analytics_flush_seq;

ALTER TABLE rse_analytics_journal ADD COLUMN IF NOT EXISTS flush_id bigint NULL;

SELECT setval('rse_analytics_flush_seq', (SELECT coalesce(max(entry_id), 0) + 1 FROM rse_analytics_journal), false)
 WHERE NOT EXISTS (SELECT 1 FROM rse_analytics_journal WHERE flush_id IS NOT NULL);

-- A rebuild replays flush by flush, in their order.
CREATE INDEX IF NOT EXISTS rse_analytics_journal_flush ON rse_analytics_journal ((coalesce(flush_id, entry_id)), entry_id);
