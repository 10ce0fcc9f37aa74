/**
 * The functions every capture trigger shares, in PL/pgSQL. They implement, inside the
 * database, what `createDiffSchema` does in TypeScript (test/support/diff-vectors.ts holds the
 * cases both run), plus masking, message rendering and the merging of the writes
 * one call makes to one object into one entry.
 *
 * Bump CAPTURE_SQL_VERSION whenever this text changes: installed triggers carry it, and the
 * start-up check refuses a database whose triggers are older.
 */
export const CAPTURE_SQL_VERSION = 5;

export const sharedCaptureSql = String.raw`
-- pothos-eventlog capture functions, version ${CAPTURE_SQL_VERSION}.

-- The context a statement carries, from the SQL comment Prisma appends to it
-- (sqlcommenter: /*eventlog='<base64url JSON>'*/). NULL when absent or malformed: a bad
-- comment must never abort the user's write.
CREATE OR REPLACE FUNCTION eventlog_context() RETURNS jsonb
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  query text := rtrim(current_query(), E' \t\r\n;');
  comment text;
  start integer;
  encoded text;
BEGIN
  -- Plain string operations: a regular expression over the whole statement cost more than
  -- the rest of the trigger.
  IF query IS NULL OR right(query, 2) <> '*/' THEN
    RETURN NULL;
  END IF;
  -- The last "/*": found as "*/" in the reversed text before the closing "*/".
  start := position('*/' IN reverse(left(query, length(query) - 2)));
  IF start = 0 THEN
    RETURN NULL;
  END IF;
  comment := right(left(query, length(query) - 2), start - 1);
  start := position('eventlog=''' IN comment);
  IF start = 0 OR (start > 1 AND substr(comment, start - 1, 1) <> ',') THEN
    RETURN NULL;
  END IF;
  encoded := substr(comment, start + 10);
  encoded := left(encoded, position('''' IN encoded) - 1);
  IF encoded = '' OR encoded !~ '^[A-Za-z0-9_-]+$' THEN
    RETURN NULL;
  END IF;
  encoded := translate(encoded, '-_', '+/');
  encoded := encoded || repeat('=', (4 - length(encoded) % 4) % 4);
  RETURN convert_from(decode(encoded, 'base64'), 'UTF8')::jsonb;
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END
$fn$;

-- A key is masked when it equals a masked key, ignoring case, "_" and "-".
CREATE OR REPLACE FUNCTION eventlog_is_masked(key text, masked text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT cardinality(masked) > 0 AND lower(translate(key, '_-', '')) = ANY (masked)
$fn$;

-- A copy without the excluded keys and with masked keys "[redacted]", at every depth.
CREATE OR REPLACE FUNCTION eventlog_clean(value jsonb, excluded text[], masked text[])
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
  CASE jsonb_typeof(value)
    WHEN 'object' THEN
      RETURN coalesce((
        SELECT jsonb_object_agg(
          e.key,
          CASE WHEN eventlog_is_masked(e.key, masked) THEN '"[redacted]"'::jsonb
               ELSE eventlog_clean(e.value, excluded, masked) END)
        FROM jsonb_each(value) e
        WHERE NOT (e.key = ANY (excluded))
      ), '{}'::jsonb);
    WHEN 'array' THEN
      RETURN coalesce((
        SELECT jsonb_agg(eventlog_clean(e.value, excluded, masked) ORDER BY e.ord)
        FROM jsonb_array_elements(value) WITH ORDINALITY AS e(value, ord)
      ), '[]'::jsonb);
    ELSE
      RETURN value;
  END CASE;
END
$fn$;

-- The items of an array of objects keyed by "field", or NULL when an item lacks a string,
-- number or boolean there, or two items share it. (The aggregate is computed whatever the
-- CASE decides: its FILTER keeps a missing field from raising "field name must not be null".)
CREATE OR REPLACE FUNCTION eventlog_items_by_field(items jsonb, field text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE
    WHEN count(*) = 0 THEN '{}'::jsonb
    WHEN count(*) FILTER (WHERE jsonb_typeof(e.value -> field) IN ('string', 'number', 'boolean')) = count(*)
         AND count(DISTINCT e.value ->> field) = count(*)
      THEN jsonb_object_agg(e.value ->> field, e.value) FILTER (WHERE e.value ->> field IS NOT NULL)
  END
  FROM jsonb_array_elements(items) e
$fn$;

-- The items keyed by 16 hex digits of SHA-256 of their cleaned (masked) content as jsonb
-- text; identical items get "#2", "#3"... The hash never covers a masked value.
CREATE OR REPLACE FUNCTION eventlog_items_by_content(items jsonb, excluded text[], masked text[])
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT coalesce(jsonb_object_agg(CASE WHEN n = 1 THEN h ELSE h || '#' || n END, value), '{}'::jsonb)
  FROM (
    SELECT value, h, row_number() OVER (PARTITION BY h ORDER BY ord) AS n
    FROM (
      SELECT e.value, e.ord,
             left(encode(sha256(convert_to(eventlog_clean(e.value, excluded, masked)::text, 'UTF8')), 'hex'), 16) AS h
      FROM jsonb_array_elements(items) WITH ORDINALITY AS e(value, ord)
    ) hashed
  ) numbered
$fn$;

-- createDiffSchema's comparison of two values: [old, new] holding only what changed, or
-- NULL when nothing did. Objects are compared key by key, arrays of objects item by item
-- (keyed by id, uuid, document_type, else content), anything else as a whole.
DROP FUNCTION IF EXISTS eventlog_diff(jsonb, jsonb, text[], text[]);
-- "keyed" marks two objects of items keyed by id or content: their keys are never excluded.
CREATE OR REPLACE FUNCTION eventlog_diff(a jsonb, b jsonb, excluded text[], masked text[],
                                         keyed boolean DEFAULT false)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  old_out jsonb := '{}';
  new_out jsonb := '{}';
  changed boolean := false;
  entry record;
  change jsonb;
  old_items jsonb;
  new_items jsonb;
  field text;
BEGIN
  IF jsonb_typeof(a) = 'object' AND jsonb_typeof(b) = 'object' THEN
    FOR entry IN
      SELECT coalesce(x.key, y.key) AS key, coalesce(x.value, 'null') AS va, coalesce(y.value, 'null') AS vb
      FROM jsonb_each(a) x FULL JOIN jsonb_each(b) y ON x.key = y.key
      WHERE x.value IS DISTINCT FROM y.value
    LOOP
      CONTINUE WHEN NOT keyed AND entry.key = ANY (excluded);
      IF jsonb_typeof(entry.va) NOT IN ('object', 'array') AND jsonb_typeof(entry.vb) NOT IN ('object', 'array') THEN
        -- Two scalars (most columns): compared here, without a recursive call. A key absent
        -- on one side and null on the other is no change.
        CONTINUE WHEN entry.va = entry.vb;
        change := jsonb_build_array(entry.va, entry.vb);
      ELSE
        change := eventlog_diff(entry.va, entry.vb, excluded, masked);
      END IF;
      CONTINUE WHEN change IS NULL;
      IF eventlog_is_masked(entry.key, masked) THEN
        change := '["[redacted]", "[redacted]"]';
      END IF;
      old_out := old_out || jsonb_build_object(entry.key, change -> 0);
      new_out := new_out || jsonb_build_object(entry.key, change -> 1);
      changed := true;
    END LOOP;
    RETURN CASE WHEN changed THEN jsonb_build_array(old_out, new_out) END;
  END IF;

  -- (Not a lax jsonpath filter: it unwraps nested arrays, so [[{}]] would pass for objects.)
  IF jsonb_typeof(a) = 'array' AND jsonb_typeof(b) = 'array'
     AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(a) e WHERE jsonb_typeof(e) <> 'object')
     AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(b) e WHERE jsonb_typeof(e) <> 'object') THEN
    IF jsonb_array_length(a) = 0 AND jsonb_array_length(b) = 0 THEN
      RETURN NULL;
    END IF;
    FOREACH field IN ARRAY ARRAY['id', 'uuid', 'document_type'] LOOP
      old_items := eventlog_items_by_field(a, field);
      new_items := CASE WHEN old_items IS NOT NULL THEN eventlog_items_by_field(b, field) END;
      EXIT WHEN new_items IS NOT NULL;
    END LOOP;
    IF new_items IS NULL THEN
      old_items := eventlog_items_by_content(a, excluded, masked);
      new_items := eventlog_items_by_content(b, excluded, masked);
    END IF;
    -- Compared as objects keyed by item: an item on one side only is null on the other.
    RETURN eventlog_diff(old_items, new_items, excluded, masked, true);
  END IF;

  IF eventlog_clean(a, excluded, '{}') = eventlog_clean(b, excluded, '{}') THEN
    RETURN NULL;
  END IF;
  RETURN jsonb_build_array(eventlog_clean(a, excluded, masked), eventlog_clean(b, excluded, masked));
END
$fn$;

-- {old_value, new_value} of two whole objects, as createDiffSchema returns it; a missing
-- side (SQL NULL or JSON null) counts as {}.
CREATE OR REPLACE FUNCTION eventlog_diff_schema(a jsonb, b jsonb, excluded text[], masked text[])
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN d IS NULL THEN '{"old_value": {}, "new_value": {}}'::jsonb
              ELSE jsonb_build_object('old_value', d -> 0, 'new_value', d -> 1) END
  FROM eventlog_diff(coalesce(nullif(a, 'null'), '{}'), coalesce(nullif(b, 'null'), '{}'),
                     excluded, masked) AS d
$fn$;

-- Deep merge: keys of both, "b" wins, objects merged key by key.
CREATE OR REPLACE FUNCTION eventlog_merge(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE
    WHEN jsonb_typeof(a) = 'object' AND jsonb_typeof(b) = 'object' THEN coalesce((
      SELECT jsonb_object_agg(coalesce(x.key, y.key),
        CASE WHEN x.key IS NULL THEN y.value WHEN y.key IS NULL THEN x.value
             ELSE eventlog_merge(x.value, y.value) END)
      FROM jsonb_each(a) x FULL JOIN jsonb_each(b) y ON x.key = y.key
    ), '{}'::jsonb)
    ELSE b
  END
$fn$;

-- Drops what is the same on both sides of a merged diff: [old, new], or NULL when nothing
-- is left. A key on one side only counts as null on the other.
CREATE OR REPLACE FUNCTION eventlog_prune(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  old_out jsonb := '{}';
  new_out jsonb := '{}';
  changed boolean := false;
  entry record;
  sub jsonb;
BEGIN
  FOR entry IN
    SELECT coalesce(x.key, y.key) AS key, coalesce(x.value, 'null') AS va, coalesce(y.value, 'null') AS vb
    FROM jsonb_each(a) x FULL JOIN jsonb_each(b) y ON x.key = y.key
  LOOP
    IF jsonb_typeof(entry.va) = 'object' AND jsonb_typeof(entry.vb) = 'object' THEN
      sub := eventlog_prune(entry.va, entry.vb);
      CONTINUE WHEN sub IS NULL;
    ELSE
      -- A masked change reads "[redacted]" on both sides, and stays a change.
      CONTINUE WHEN entry.va = entry.vb AND entry.va <> '"[redacted]"';
      sub := jsonb_build_array(entry.va, entry.vb);
    END IF;
    old_out := old_out || jsonb_build_object(entry.key, sub -> 0);
    new_out := new_out || jsonb_build_object(entry.key, sub -> 1);
    changed := true;
  END LOOP;
  RETURN CASE WHEN changed THEN jsonb_build_array(old_out, new_out) END;
END
$fn$;

-- A later diff (d_old, d_new) merged into an earlier one (e_old, e_new, as eventlog_diff or
-- this function returns them), pruned: [old, new], or NULL when nothing is left. The earlier
-- old values and the later new values win; it equals eventlog_prune of the two deep merges,
-- but visits only the keys the later diff holds, so that merging one item's change into an
-- entry of 200 items costs one item, not 200.
CREATE OR REPLACE FUNCTION eventlog_merge_diff(e_old jsonb, e_new jsonb, d_old jsonb, d_new jsonb)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
  old_out jsonb := e_old;
  new_out jsonb := e_new;
  k text;
  a jsonb;
  b jsonb;
  x jsonb;
  y jsonb;
  sub jsonb;
BEGIN
  FOR k IN SELECT jsonb_object_keys(d_old) UNION SELECT jsonb_object_keys(d_new) LOOP
    a := e_old -> k;
    b := e_new -> k;
    x := d_old -> k;
    y := d_new -> k;
    IF coalesce(jsonb_typeof(a), 'object') = 'object' AND coalesce(jsonb_typeof(x), 'object') = 'object'
       AND coalesce(jsonb_typeof(b), 'object') = 'object' AND coalesce(jsonb_typeof(y), 'object') = 'object'
       AND (a IS NOT NULL OR x IS NOT NULL) AND (b IS NOT NULL OR y IS NOT NULL) THEN
      sub := eventlog_merge_diff(coalesce(a, '{}'), coalesce(b, '{}'), coalesce(x, '{}'), coalesce(y, '{}'));
    ELSE
      a := coalesce(CASE WHEN a IS NULL THEN x WHEN x IS NULL THEN a ELSE eventlog_merge(x, a) END, 'null');
      b := coalesce(CASE WHEN y IS NULL THEN b WHEN b IS NULL THEN y ELSE eventlog_merge(b, y) END, 'null');
      sub := CASE
        WHEN jsonb_typeof(a) = 'object' AND jsonb_typeof(b) = 'object' THEN eventlog_prune(a, b)
        WHEN a = b AND a <> '"[redacted]"' THEN NULL
        ELSE jsonb_build_array(a, b) END;
    END IF;
    IF sub IS NULL THEN
      old_out := old_out - k;
      new_out := new_out - k;
    ELSE
      old_out := old_out || jsonb_build_object(k, sub -> 0);
      new_out := new_out || jsonb_build_object(k, sub -> 1);
    END IF;
  END LOOP;
  RETURN CASE WHEN old_out = '{}' AND new_out = '{}' THEN NULL ELSE jsonb_build_array(old_out, new_out) END;
END
$fn$;

-- The text of a JSON value in a message: strings as they are, null as "".
CREATE OR REPLACE FUNCTION eventlog_text(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE jsonb_typeof(value) WHEN 'string' THEN value #>> '{}' WHEN 'null' THEN '' ELSE value::text END
$fn$;

-- Renders template parts: a string is text, {"k": key, "f": field} reads the object's row,
-- {"k": key} takes the stored value given with the context. Returns {message, values}.
CREATE OR REPLACE FUNCTION eventlog_render(parts jsonb, given jsonb, model text, object_id text, row_data jsonb)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
  message text := '';
  stored jsonb := '{}';
  part jsonb;
  text_value text;
  value jsonb;
BEGIN
  FOR part IN SELECT p FROM jsonb_array_elements(parts) p LOOP
    IF jsonb_typeof(part) = 'string' THEN
      message := message || (part #>> '{}');
    ELSIF part ? 'f' THEN
      text_value := eventlog_text(coalesce(row_data -> (part ->> 'f'), 'null'));
      message := message || text_value;
      stored := stored || jsonb_build_object(part ->> 'k', jsonb_build_object(
        'model', model, 'id', object_id, 'path', jsonb_build_array(part ->> 'f'), 'snapshot', text_value));
    ELSE
      value := given -> (part ->> 'k');
      text_value := CASE WHEN value ? 'snapshot' THEN value ->> 'snapshot'
                         ELSE eventlog_text(coalesce(value -> 'value', 'null')) END;
      message := message || coalesce(text_value, '');
      IF value IS NOT NULL THEN
        stored := stored || jsonb_build_object(part ->> 'k', value);
      END IF;
    END IF;
  END LOOP;
  RETURN jsonb_build_object('message', message, 'values', stored);
END
$fn$;

-- The default message of an entry: {template, parts}, e.g. "Certificate {object__id} was updated.",
-- or "Certificate {object__id}: archive." for a custom action.
CREATE OR REPLACE FUNCTION eventlog_default_message(model text, id_field text, action text)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT jsonb_build_object(
    'template', model || ' {object__' || id_field || '}' || replace(replace(tail, '{', '{{'), '}', '}}'),
    'parts', jsonb_build_array(model || ' ', jsonb_build_object('k', 'object__' || id_field, 'f', id_field), tail))
  FROM (SELECT CASE action
    WHEN 'create' THEN ' was created.' WHEN 'update' THEN ' was updated.'
    WHEN 'delete' THEN ' was deleted.' WHEN 'access' THEN ' was accessed.'
    ELSE ': ' || action || '.' END AS tail) t
$fn$;

-- Announces entries on channel 'eventlog' (the live feed listens there): their ids, comma
-- separated, one notification per statement, split below NOTIFY's 8000-byte payload limit.
-- PostgreSQL delivers it at commit, and never for a rolled-back transaction. A notifying
-- commit takes a database-wide lock, so concurrent commits queue one by one: where nothing
-- listens, turn it off with ALTER DATABASE <name> SET eventlog.notify = 'off' (or per role,
-- per session).
CREATE OR REPLACE FUNCTION eventlog_notify(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  payload text := '';
  id bigint;
BEGIN
  IF current_setting('eventlog.notify', true) = 'off' THEN
    RETURN;
  END IF;
  FOREACH id IN ARRAY ids LOOP
    IF length(payload) > 7900 THEN
      PERFORM pg_notify('eventlog', payload);
      payload := '';
    END IF;
    payload := payload || CASE WHEN payload = '' THEN '' ELSE ',' END || id::text;
  END LOOP;
  IF payload <> '' THEN
    PERFORM pg_notify('eventlog', payload);
  END IF;
END
$fn$;

-- Writes (or merges) the entries of one statement. "config" is the audited model's
-- declaration; each item is {id, op, old, new} (row states as JSON, Prisma field names) or,
-- for folded child rows, {id, op: "update", row, changes}.
CREATE OR REPLACE FUNCTION eventlog_record(config jsonb, excluded text[], masked text[], items jsonb)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  v_context jsonb := eventlog_context();
  call_key text;
  own boolean;
  item jsonb;
  op text;
  row_data jsonb;
  v_changes jsonb;
  existing record;
  net_op text;
  merged jsonb;
  v_action text;
  parts jsonb;
  v_template text;
  rendered jsonb;
  calls text;
  first_write boolean;
  v_model text := config ->> 'model';
  entry_context jsonb;
  has_existing boolean;
  v_id bigint;
  v_ids bigint[] := '{}';
BEGIN
  IF jsonb_typeof(v_context) IS DISTINCT FROM 'object' THEN
    v_context := NULL;
  END IF;
  call_key := coalesce(v_context ->> 'call', 'tx:' || txid_current()::text);
  own := v_context IS NOT NULL AND v_context ->> 'model' = v_model;
  -- The calls that wrote entries in this transaction (rolled back with it, and with a
  -- savepoint): a call's first write has no entry to merge into, so it skips the look-up.
  calls := coalesce(current_setting('eventlog.calls', true), '');
  first_write := position(',' || call_key || ',' IN calls) = 0;
  IF first_write THEN
    calls := set_config('eventlog.calls', calls || ',' || call_key || ',', true);
  END IF;

  FOR item IN SELECT i FROM jsonb_array_elements(items) i LOOP
    op := item ->> 'op';
    row_data := coalesce(nullif(item -> 'row', 'null'), item -> 'new', item -> 'old');
    IF item ? 'changes' THEN
      v_changes := item -> 'changes';
    ELSIF op = 'create' THEN
      v_changes := jsonb_build_object('old_value', '{}'::jsonb, 'new_value', eventlog_clean(item -> 'new', excluded, masked));
    ELSIF op = 'delete' THEN
      v_changes := jsonb_build_object('old_value', eventlog_clean(item -> 'old', excluded, masked), 'new_value', '{}'::jsonb);
    ELSE
      -- eventlog_diff_schema, inlined: a SQL function called from PL/pgSQL costs an executor.
      merged := eventlog_diff(coalesce(item -> 'old', '{}'), coalesce(item -> 'new', '{}'), excluded, masked);
      v_changes := CASE WHEN merged IS NULL THEN '{"old_value": {}, "new_value": {}}'::jsonb
                        ELSE jsonb_build_object('old_value', merged -> 0, 'new_value', merged -> 1) END;
    END IF;

    IF first_write THEN
      has_existing := false;
    ELSE
      SELECT e.id, e."timestamp", e.changes, e.context INTO existing
      FROM event_log e
      WHERE e."objectType" = v_model AND e."objectId" = item ->> 'id'
        AND e."timestamp" >= now() - interval '1 millisecond'
        -- An upper bound too, so that only the current month's partition is opened (a
        -- stable bound prunes the months ahead and the default partition).
        AND e."timestamp" < now() + interval '1 month'
        AND e.context ->> 'call' = call_key
      ORDER BY e."timestamp" DESC, e.id DESC
      LIMIT 1;
      has_existing := FOUND;
    END IF;
    IF has_existing THEN
      net_op := existing.context ->> 'op';
      net_op := CASE
        WHEN op = 'delete' THEN 'delete'
        WHEN net_op = 'delete' AND op = 'create' THEN 'update'
        ELSE net_op END;
      IF net_op = 'create' THEN
        v_changes := jsonb_build_object('old_value', '{}'::jsonb,
          'new_value', eventlog_merge(existing.changes -> 'new_value', v_changes -> 'new_value'));
      ELSIF net_op = 'delete' THEN
        v_changes := jsonb_build_object('old_value',
          eventlog_merge(v_changes -> 'old_value', existing.changes -> 'old_value'), 'new_value', '{}'::jsonb);
      ELSIF existing.context ->> 'op' = 'update' THEN
        merged := eventlog_merge_diff(existing.changes -> 'old_value', existing.changes -> 'new_value',
                                      v_changes -> 'old_value', v_changes -> 'new_value');
        v_changes := CASE WHEN merged IS NULL THEN '{"old_value": {}, "new_value": {}}'::jsonb
                        ELSE jsonb_build_object('old_value', merged -> 0, 'new_value', merged -> 1) END;
      ELSE
        -- A delete, then a create of the same id: whole rows on both sides.
        merged := eventlog_prune(
          eventlog_merge(v_changes -> 'old_value', existing.changes -> 'old_value'),
          eventlog_merge(existing.changes -> 'new_value', v_changes -> 'new_value'));
        v_changes := CASE WHEN merged IS NULL THEN '{"old_value": {}, "new_value": {}}'::jsonb
                        ELSE jsonb_build_object('old_value', merged -> 0, 'new_value', merged -> 1) END;
      END IF;
    ELSE
      net_op := op;
    END IF;

    v_action := CASE WHEN own AND v_context ? 'action' THEN v_context ->> 'action' ELSE net_op END;
    IF own AND jsonb_typeof(v_context -> 'parts') = 'array' THEN
      parts := v_context -> 'parts';
      v_template := v_context ->> 'template';
    ELSE
      rendered := eventlog_default_message(v_model, config ->> 'idField', v_action);
      parts := rendered -> 'parts';
      v_template := rendered ->> 'template';
    END IF;
    rendered := eventlog_render(parts, CASE WHEN own THEN v_context -> 'values' ELSE '{}' END,
                                v_model, item ->> 'id', row_data);

    IF has_existing THEN
      -- A folded child change after its parent's delete (a cascade) no longer sees the
      -- parent's row: the message rendered from the deleted state stands.
      -- The merged entry moves to its latest write (a new timestamp and id): another
      -- transaction's entry for the object may have been written in between (a folded child
      -- row the call had not locked), and the trail must stay in the order of the changes.
      UPDATE event_log SET
        id = nextval(pg_get_serial_sequence('event_log', 'id')),
        "timestamp" = clock_timestamp(),
        action = left(v_action, 100),
        template = CASE WHEN row_data IS NULL THEN event_log.template ELSE v_template END,
        message = CASE WHEN row_data IS NULL THEN event_log.message ELSE rendered ->> 'message' END,
        "values" = CASE WHEN row_data IS NULL THEN event_log."values" ELSE rendered -> 'values' END,
        changes = v_changes,
        context = event_log.context || jsonb_build_object('op', net_op)
      WHERE id = existing.id AND "timestamp" = existing."timestamp"
      RETURNING id INTO v_id;
    ELSE
      IF v_context IS NULL THEN
        entry_context := jsonb_build_object('call', call_key, 'op', net_op, 'unattributed', true);
      ELSE
        entry_context := jsonb_strip_nulls(jsonb_build_object(
          'requestId', v_context -> 'requestId',
          'operationName', v_context -> 'operationName',
          'path', v_context -> 'path',
          'call', call_key,
          'op', net_op));
      END IF;
      INSERT INTO event_log ("actorId", "actorName", tool, action, "objectType", "objectId",
                             template, message, "values", changes, context)
      VALUES (
        left(v_context #>> '{actor,id}', 255),
        left(v_context #>> '{actor,name}', 255),
        left(CASE WHEN v_context IS NULL THEN config ->> 'unattributedTool'
                  ELSE coalesce(v_context ->> 'tool', config ->> 'tool') END, 100),
        left(v_action, 100),
        v_model,
        left(item ->> 'id', 255),
        v_template,
        rendered ->> 'message',
        rendered -> 'values',
        v_changes,
        entry_context)
      RETURNING id INTO v_id;
    END IF;
    v_ids := v_ids || v_id;
  END LOOP;
  IF cardinality(v_ids) > 0 THEN
    PERFORM eventlog_notify(v_ids);
  END IF;
END
$fn$;
`;
