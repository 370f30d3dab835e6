-- From when the analytics journal (0009) holds every fact the figures count: a rebuild recomputes
-- the days and posts from then on and keeps the figures from before as they stand, since the journal
-- cannot give them back. One row. '-infinity' when no figure existed yet (a fresh database: the
-- journal holds everything); otherwise (a database that counted before 0009) the time 0009 was
-- applied. The demo's drawn history and the journal's pruning move it later, never earlier.

CREATE TABLE IF NOT EXISTS rse_analytics_journal_horizon
(
    single         boolean     PRIMARY KEY DEFAULT true CHECK (single),
    complete_from  timestamptz NOT NULL
);

INSERT INTO rse_analytics_journal_horizon (complete_from)
SELECT CASE
           WHEN EXISTS (SELECT 1 FROM rse_grain_state
                         WHERE grain_type IN ('analytics-network-day', 'analytics-group-day', 'analytics-post-reach')
                           AND payload IS NOT NULL)
                -- A first figure counted before 0009 existed leaves no trace but the figures: when any
                -- is stored now, the journal is taken to be whole only from 0009 on.
               THEN coalesce((SELECT applied_at FROM rse_schema_version WHERE version = 9), now())
           ELSE '-infinity'::timestamptz
       END
ON CONFLICT (single) DO NOTHING;
