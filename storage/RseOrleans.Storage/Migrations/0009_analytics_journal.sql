-- The analytics journal: every fact the analytics grains count (grains/…/Analytics), appended by
-- each process's recorder once a second in one INSERT, before the grains are told. The days',
-- group days' and posts' figures are derived from it and `rse admin rebuild-analytics` recomputes
-- them from it. People are their analytics numbers (AnalyticsPeopleGrain), never their ids: an
-- erasure drops the number's id there and leaves nothing here naming the person.

CREATE TABLE IF NOT EXISTS rse_analytics_journal
(
    -- The order of the facts, which a rebuild replays.
    entry_id  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    -- An act's post, or the post served; NULL for a member change.
    post_id   bigint      NULL,
    -- An act's person, by number; NULL for a read and a member change.
    person    integer     NULL,
    -- A read: how often the post was served in the flush; a member change: joins less leaves; 1 for an act.
    count     integer     NOT NULL,
    kind      smallint    NOT NULL,  -- 1 post, 2 comment, 3 reaction, 4 share, 5 served, 6 member change
    group_id  text        NULL,
    -- A read: the numbers of the people served the post in the flush, as AnalyticsPeople's PersonSet
    -- packs them (each the gap from the one before, in 7-bit groups).
    readers   bytea       NULL
);
