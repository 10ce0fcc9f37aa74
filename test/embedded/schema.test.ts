import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../scripts/print-schema.js';

describe('schema.graphql', () => {
  it('is the example schema, printed sorted (run `npm run print-schema` after a change)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printedSchema());
  });

  it('has one shared EventLogConnection for the root query and every eventLog field', () => {
    const schema = printedSchema();
    expect(schema.match(/^type \w*Connection /gm)).toEqual([
      'type EventLogConnection ',
      'type QueryCertificatesConnection ',
    ]);
    expect(schema).toContain('eventLogs(');
    expect(schema.match(/\): EventLogConnection$/gm)).toHaveLength(3);
  });
});
