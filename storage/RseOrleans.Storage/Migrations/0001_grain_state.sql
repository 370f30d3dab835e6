-- Grain state for Orleans' ADO.NET storage provider (invariant "Npgsql").
--
-- The provider loads its statements from OrleansQuery at start-up, by key, and binds these
-- parameters: @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
-- @GrainIdExtensionString, @ServiceId, @GrainStateVersion and, for writes, @PayloadBinary.
-- It expects back: PayloadBinary and Version from a read, NewGrainStateVersion from a write, the
-- new version as the first column of a clear. A write or clear that matched no row at the
-- version the grain holds must still answer one row, with a NULL version: that is how the
-- provider recognises a stale ETag and raises InconsistentStateException instead of overwriting.

CREATE TABLE IF NOT EXISTS rse_grain_state
(
    service_id          text        NOT NULL,
    grain_type          text        NOT NULL,
    grain_type_hash     integer     NOT NULL,
    grain_id_hash       integer     NOT NULL,
    grain_id_n0         bigint      NOT NULL,
    grain_id_n1         bigint      NOT NULL,
    -- NULL for integer and GUID keys without an extension; '' never occurs, so it stands for NULL in the key.
    grain_id_extension  text        NULL,
    payload             bytea       NULL,
    version             integer     NOT NULL,
    modified_at         timestamptz NOT NULL DEFAULT now()
);

-- The hashes lead so that the index stays narrow and selective; the full identity follows
-- because hashes collide.
CREATE UNIQUE INDEX IF NOT EXISTS rse_grain_state_identity
    ON rse_grain_state (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, (coalesce(grain_id_extension, '')));

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'ReadFromStorageKey',
    'SELECT payload AS PayloadBinary, version AS Version
       FROM rse_grain_state
      WHERE grain_id_hash = @GrainIdHash
        AND grain_type_hash = @GrainTypeHash
        AND service_id = @ServiceId
        AND grain_id_n0 = @GrainIdN0
        AND grain_id_n1 = @GrainIdN1
        AND grain_type = @GrainTypeString
        AND coalesce(grain_id_extension, '''') = coalesce(@GrainIdExtensionString::text, '''')'
),
(
    'WriteToStorageKey',
    'WITH updated AS (
         UPDATE rse_grain_state
            SET payload = @PayloadBinary, version = version + 1, modified_at = now()
          WHERE @GrainStateVersion::integer IS NOT NULL
            AND version = @GrainStateVersion::integer
            AND grain_id_hash = @GrainIdHash
            AND grain_type_hash = @GrainTypeHash
            AND service_id = @ServiceId
            AND grain_id_n0 = @GrainIdN0
            AND grain_id_n1 = @GrainIdN1
            AND grain_type = @GrainTypeString
            AND coalesce(grain_id_extension, '''') = coalesce(@GrainIdExtensionString::text, '''')
      RETURNING version
     ), inserted AS (
         INSERT INTO rse_grain_state (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
         SELECT @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString::text, @PayloadBinary, 1
          WHERE @GrainStateVersion::integer IS NULL
         ON CONFLICT DO NOTHING
      RETURNING version
     )
     SELECT (SELECT version FROM updated UNION ALL SELECT version FROM inserted LIMIT 1) AS NewGrainStateVersion'
),
(
    'ClearStorageKey',
    'WITH cleared AS (
         UPDATE rse_grain_state
            SET payload = NULL, version = version + 1, modified_at = now()
          WHERE @GrainStateVersion::integer IS NOT NULL
            AND version = @GrainStateVersion::integer
            AND grain_id_hash = @GrainIdHash
            AND grain_type_hash = @GrainTypeHash
            AND service_id = @ServiceId
            AND grain_id_n0 = @GrainIdN0
            AND grain_id_n1 = @GrainIdN1
            AND grain_type = @GrainTypeString
            AND coalesce(grain_id_extension, '''') = coalesce(@GrainIdExtensionString::text, '''')
      RETURNING version
     )
     SELECT (SELECT version FROM cleared) AS Version'
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
