-- Members of a set, one row each: a group's members and roles (set_key "group:<id>"). A join
-- writes one row and a leave deletes one, so the cost of a change does not grow with the group.
-- Only the set's owner (one group grain activation) writes its rows.

CREATE TABLE IF NOT EXISTS rse_member_rows
(
    set_key    text        NOT NULL,
    member_id  text        NOT NULL,
    role       smallint    NOT NULL,  -- the GroupRole's number: 1 member, 2 moderator, 3 admin, 4 owner
    -- When the member joined, to the microsecond (what timestamptz keeps; the grain keeps no more).
    since      timestamptz NOT NULL,
    PRIMARY KEY (set_key, member_id)
);
