-- A content search reads the texts that match its words AND lie in the reader's scopes, combining
-- both indexes (0007), but the planner picks that plan only when its statistics know how many
-- texts each scope holds. With PostgreSQL's default thresholds a table of a million texts is
-- analysed again only after some 100,000 changes, so a scope that grew since (the month's profile
-- posts, a new group) looks nearly empty and each search reads every text of it instead: about
-- three times the work, measured with 10,000 new profile posts beside 200,000 older texts.
-- Analyse the table after 2,000 changes plus 0.2 % of its rows (4,000 for a million texts, a few
-- days of a large company's writing); an analysis samples 30,000 rows whatever the table's size.
ALTER TABLE rse_search_content SET (autovacuum_analyze_scale_factor = 0.002, autovacuum_analyze_threshold = 2000);
