-- Reminders for Orleans' ADO.NET reminder service (invariant "Npgsql"): webhook retries wake on
-- them, so that a retry schedule outlives the silo that started it.
--
-- The service loads its statements from OrleansQuery by key and binds @ServiceId, @GrainId,
-- @ReminderName, @StartTime, @Period, @GrainHash, @Version, @BeginHash and @EndHash. It reads
-- back, per reminder: GrainId, ReminderName, StartTime, Period and Version; an upsert answers the
-- new version, a delete the number of rows it removed (0: the version was stale). A reminder
-- belongs to the silo that owns its grain's hash in the ring: the range reads select by hash,
-- and a range that wraps round the ring (begin >= end) takes both ends.

CREATE TABLE IF NOT EXISTS rse_reminders
(
    service_id     text        NOT NULL,
    grain_id       text        NOT NULL,
    reminder_name  text        NOT NULL,
    start_time     timestamptz NOT NULL,
    period_ms      bigint      NOT NULL,
    grain_hash     integer     NOT NULL,
    version        integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS rse_reminders_by_hash ON rse_reminders (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
(
    'UpsertReminderRowKey',
    'INSERT INTO rse_reminders (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
     VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period::bigint, @GrainHash, 0)
     ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
        SET start_time = excluded.start_time,
            period_ms = excluded.period_ms,
            grain_hash = excluded.grain_hash,
            version = rse_reminders.version + 1
     RETURNING version AS Version'
),
(
    'ReadReminderRowsKey',
    'SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
       FROM rse_reminders
      WHERE service_id = @ServiceId AND grain_id = @GrainId'
),
(
    'ReadReminderRowKey',
    'SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
       FROM rse_reminders
      WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName'
),
(
    'ReadRangeRows1Key',
    'SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
       FROM rse_reminders
      WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash'
),
(
    'ReadRangeRows2Key',
    'SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
       FROM rse_reminders
      WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)'
),
(
    'DeleteReminderRowKey',
    'WITH deleted AS (
         DELETE FROM rse_reminders
          WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
      RETURNING 1)
     SELECT count(*)::integer FROM deleted'
),
(
    'DeleteReminderRowsKey',
    'DELETE FROM rse_reminders WHERE service_id = @ServiceId'
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
