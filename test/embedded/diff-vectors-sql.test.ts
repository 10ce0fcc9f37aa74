// The shared diff vectors through eventlog_diff_schema, the PL/pgSQL the capture triggers
// diff with, on an in-memory PGlite (PostgreSQL 17). The same vectors run through the
// TypeScript createDiffSchema in test/unit/diff-vectors.test.ts.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedCaptureSql } from '../../src/capture/shared-sql.js';
import { DEFAULT_EXCLUDED_KEYS } from '../../src/service/diff.js';
import { DEFAULT_MASKED_KEYS, normalizeMaskKey } from '../../src/service/mask.js';
import { type DiffVector, diffVectors } from '../support/diff-vectors.js';

describe('diff vectors: eventlog_diff_schema', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = new PGlite();
    // Only the diff functions are used: eventlog_record's body (which names event_log) is
    // not checked against the catalog when it is created.
    await db.exec(sharedCaptureSql);
  });

  afterAll(async () => {
    await db.close();
  });

  async function diffInSql(vector: DiffVector): Promise<unknown> {
    const excluded = [...DEFAULT_EXCLUDED_KEYS, ...(vector.excludeKeys ?? [])];
    const masked = [...DEFAULT_MASKED_KEYS, ...(vector.maskedKeys ?? [])].map(normalizeMaskKey);
    const result = await db.query<{ d: unknown }>(
      'SELECT eventlog_diff_schema($1::jsonb, $2::jsonb, $3::text[], $4::text[]) AS d',
      [JSON.stringify(vector.old), JSON.stringify(vector.new), excluded, masked],
    );
    return result.rows[0]?.d;
  }

  it('runs on PostgreSQL and receives the inputs as jsonb', async () => {
    const result = await db.query<{ v: string; j: unknown }>(
      `SELECT current_setting('server_version_num') AS v, $1::jsonb AS j`,
      [JSON.stringify({ a: [1, 'x', null] })],
    );
    expect(Number(result.rows[0]?.v)).toBeGreaterThanOrEqual(150000);
    expect(result.rows[0]?.j).toEqual({ a: [1, 'x', null] });
  });

  it.each(diffVectors.map((vector) => [vector.name, vector] as const))(
    '%s',
    async (_name, vector) => {
      expect(await diffInSql(vector)).toEqual(vector.expected);
    },
  );
});
