-- The request ledger (RequestLedgerGrain, issue 13), one row per (caller, request), so that a
-- mutating call writes its own entry: one upsert when it starts, one when it succeeds, one delete
-- when it is abandoned. Earlier versions wrote the caller's whole ledger (up to 256 entries with
-- their responses) as the grain's state on every start and every outcome. A ledger carries that
-- state over to this table at its first activation, then clears it.

CREATE TABLE IF NOT EXISTS rse_request_ledger
(
    caller       text        NOT NULL,  -- the ledger's key: the caller's user id
    request      bigint      NOT NULL,  -- hash of (operation, request id), as an unsigned 64-bit value's bits
    fingerprint  bigint      NOT NULL,  -- hash of the request message, likewise
    at           timestamptz NOT NULL,  -- when the call started, or finished once it has a response
    response     bytea       NULL,      -- the serialized response; NULL while the call is running
    PRIMARY KEY (caller, request)
);
