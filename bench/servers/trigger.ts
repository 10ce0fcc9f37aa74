// W1 (d): the in-database lower bound. The server is the no-logging one; an AFTER UPDATE
// trigger writes the audit row (whole old and new row as JSONB, no items, no actor).
import type pg from 'pg';
import { createPlainSchema } from './plain.js';

export const createTriggerSchema = createPlainSchema;

/** Creates the audit table and the trigger, limited to the rows of the trigger variant. */
export async function installAuditTrigger(client: pg.Client, ids: { from: number; to: number }) {
  await client.query(`CREATE TABLE bench_audit (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    old_row JSONB NOT NULL,
    new_row JSONB NOT NULL
  )`);
  await client.query(`CREATE FUNCTION bench_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO bench_audit (table_name, row_id, old_row, new_row)
      VALUES (TG_TABLE_NAME, NEW.id::text, to_jsonb(OLD), to_jsonb(NEW));
      RETURN NULL;
    END $$`);
  await client.query(`CREATE TRIGGER bench_audit_certificate AFTER UPDATE ON "Certificate"
    FOR EACH ROW WHEN (NEW.id BETWEEN ${Number(ids.from)} AND ${Number(ids.to)})
    EXECUTE FUNCTION bench_audit_row()`);
}
