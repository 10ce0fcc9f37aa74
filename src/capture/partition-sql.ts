/**
 * The functions that keep event_log's month partitions: every capture migration carries
 * them (CREATE OR REPLACE) and ends by calling eventlog_ensure_partitions(), so a database
 * that applied one has its partitions through three months ahead. Part of the capture SQL:
 * bump CAPTURE_SQL_VERSION (shared-sql.ts) whenever this text changes.
 *
 * Partitions are found through the catalog, never by name: a table attached by the
 * single-table upgrade (everything before a month) counts as the range it was attached
 * with. Month bounds are UTC midnights, computed on `timestamp without time zone` so that
 * the session's TimeZone cannot shift them.
 */
export const partitionSql = String.raw`
-- The partitions of event_log and their bounds, oldest first: a range [lower_bound,
-- upper_bound) (-infinity/infinity for MINVALUE/MAXVALUE), or the default partition
-- (is_default, no bounds). Empty when event_log is not partitioned.
CREATE OR REPLACE FUNCTION eventlog_partitions()
RETURNS TABLE (partition text, lower_bound timestamptz, upper_bound timestamptz, is_default boolean)
LANGUAGE sql STABLE AS $fn$
  SELECT c.oid::regclass::text,
         CASE WHEN m[1] = 'MINVALUE' THEN '-infinity'::timestamptz ELSE m[1]::timestamptz END,
         CASE WHEN m[2] = 'MAXVALUE' THEN 'infinity'::timestamptz ELSE m[2]::timestamptz END,
         b.bound = 'DEFAULT'
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
  CROSS JOIN LATERAL (SELECT regexp_match(b.bound,
    '^FOR VALUES FROM \(''?([^'')]*)''?\) TO \(''?([^'')]*)''?\)$') AS m) r
  WHERE i.inhparent = to_regclass('event_log')
  ORDER BY 2 NULLS LAST, 1
$fn$;

-- Creates the month partitions of event_log from the current month through the month of
-- "through", and one for each month the default partition holds rows of, skipping months a
-- partition already covers; the default partition's rows of a new month move into it.
-- Returns the partitions it created. A new month is attached (SHARE UPDATE EXCLUSIVE on
-- event_log), so reads and writes go on meanwhile; concurrent calls take turns.
CREATE OR REPLACE FUNCTION eventlog_ensure_partitions(through timestamptz DEFAULT now() + interval '3 months')
RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
  parent regclass := to_regclass('event_log');
  parent_schema text;
  default_part text;
  held timestamp[] := '{}';
  month timestamp;
  next_month timestamp;
  part text;
BEGIN
  IF parent IS NULL OR (SELECT relkind FROM pg_class WHERE oid = parent) <> 'p' THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('eventlog_ensure_partitions'));
  SELECT n.nspname INTO parent_schema
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
  SELECT p.partition INTO default_part FROM eventlog_partitions() p WHERE p.is_default;
  IF default_part IS NOT NULL THEN
    EXECUTE format('SELECT coalesce(array_agg(DISTINCT date_trunc(''month'', "timestamp" AT TIME ZONE ''UTC'')), ''{}'') FROM %s',
                   default_part) INTO held;
  END IF;
  FOR month IN
    SELECT m FROM unnest(held) m
    UNION
    SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                           date_trunc('month', through AT TIME ZONE 'UTC'), interval '1 month')
    ORDER BY 1
  LOOP
    next_month := month + interval '1 month';
    IF NOT EXISTS (
      SELECT 1 FROM eventlog_partitions() p
      WHERE NOT p.is_default
        AND p.lower_bound < (next_month AT TIME ZONE 'UTC')
        AND p.upper_bound > (month AT TIME ZONE 'UTC')
    ) THEN
      part := 'event_log_p' || to_char(month, 'YYYY_MM');
      EXECUTE format('CREATE TABLE %I.%I (LIKE %s)', parent_schema, part, parent);
      IF month = ANY (held) THEN
        EXECUTE format('WITH moved AS (DELETE FROM %s WHERE "timestamp" >= $1 AND "timestamp" < $2 RETURNING *) '
                       'INSERT INTO %I.%I SELECT * FROM moved', default_part, parent_schema, part)
          USING month AT TIME ZONE 'UTC', next_month AT TIME ZONE 'UTC';
      END IF;
      EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                     parent, parent_schema, part,
                     to_char(month, 'YYYY-MM-DD HH24:MI:SS') || '+00',
                     to_char(next_month, 'YYYY-MM-DD HH24:MI:SS') || '+00');
      RETURN NEXT format('%I.%I', parent_schema, part)::regclass::text;
    END IF;
  END LOOP;
END
$fn$;
`;
