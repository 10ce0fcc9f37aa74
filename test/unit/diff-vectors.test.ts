// The shared diff vectors through the TypeScript createDiffSchema. The same vectors run
// through the capture triggers' eventlog_diff_schema in test/embedded/diff-vectors-sql.test.ts.
import { describe, expect, it } from 'vitest';
import { createDiffSchema } from '../../src/service/diff.js';
import { contentKey, DOOR_CODE_TEXT, diffVectors } from '../support/diff-vectors.js';

describe('diff vectors: createDiffSchema', () => {
  it('are JSON only, with unique names', () => {
    expect(JSON.parse(JSON.stringify(diffVectors))).toEqual(diffVectors);
    expect(new Set(diffVectors.map((vector) => vector.name)).size).toBe(diffVectors.length);
  });

  it.each(diffVectors.map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const diff = createDiffSchema(vector.old, vector.new, {
      excludeKeys: vector.excludeKeys,
      maskedKeys: vector.maskedKeys,
    });
    expect(diff).toEqual(vector.expected);
  });

  it('keys a content-keyed item without its masked pin: no 4-digit pin gives its key back', () => {
    const keyFor = (pin: string) => {
      const diff = createDiffSchema(
        { codes: [{ label: 'door', pin }] },
        { codes: [] },
        { maskedKeys: ['pin'] },
      );
      return Object.keys(diff.old_value.codes as object);
    };
    const key = contentKey(DOOR_CODE_TEXT);
    expect(keyFor('1234')).toEqual([key]);
    expect(keyFor('9999')).toEqual([key]);
    // An attacker hashing every candidate pin the way the key is made finds no match.
    const guesses = new Set<string>();
    for (let n = 0; n <= 9999; n += 1) {
      guesses.add(contentKey(`{"pin": "${String(n).padStart(4, '0')}", "label": "door"}`));
      guesses.add(contentKey(`{"pin": ${n}, "label": "door"}`));
    }
    expect(guesses.size).toBe(20_000);
    expect(guesses.has(key)).toBe(false);
    // The guessing itself works: the key of the unmasked item is among the guesses.
    const unmasked = createDiffSchema({ codes: [{ label: 'door', pin: '1234' }] }, { codes: [] });
    expect(Object.keys(unmasked.old_value.codes as object).every((k) => guesses.has(k))).toBe(true);
  });
});
