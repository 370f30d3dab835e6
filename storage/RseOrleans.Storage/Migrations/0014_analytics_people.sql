-- The people the statistics count (AnalyticsPeopleGrain, issue 17), one row per number, so that a
-- call numbering, placing, activating or erasing people writes their rows only; earlier versions
-- wrote all of them as the grain's one state (megabytes for 100,000 people) on every change. The
-- grain carries that state over to this table at its first activation, then clears it.

CREATE TABLE IF NOT EXISTS rse_analytics_people
(
    number      integer NOT NULL PRIMARY KEY,  -- given once, in order, never again
    user_id     text    NULL,                  -- NULL once the person is erased
    department  text    NOT NULL,              -- '' when not known; erasure empties the three places
    location    text    NOT NULL,
    region      text    NOT NULL,              -- the first part of the profile's IANA time zone
    activated   boolean NOT NULL,              -- ever posted, commented, reacted or shared
    placed      boolean NOT NULL               -- places set from the profile (otherwise read when met)
);
