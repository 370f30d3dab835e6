-- Analytics count people by number since AnalyticsPeopleGrain (grains/…/Analytics): the two
-- grains that kept every account's id before it, the accounts' figures and their places, no
-- longer exist. Their rows would keep erased people's ids for ever, so they go.
DELETE FROM rse_grain_state WHERE grain_type IN ('analytics-accounts', 'analytics-account-places');
