/**
 * Test vectors for createDiffSchema's semantics, shared by its two implementations: the
 * TypeScript `createDiffSchema` (test/unit/diff-vectors.test.ts) and the PL/pgSQL
 * `eventlog_diff_schema` the capture triggers use (test/embedded/diff-vectors-sql.test.ts).
 * Inputs are plain JSON, so that both sides see the same values.
 *
 * Items keyed by content are keyed by 16 hex digits of SHA-256 of the item's cleaned
 * (excluded keys dropped, masked keys "[redacted]") jsonb text. `contentKey` takes that text
 * as PostgreSQL prints it, written out by hand here: keys ordered by byte length, then bytes;
 * `", "` between items and `": "` after keys; numbers in plain decimal notation.
 */
import { createHash } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export interface DiffVector {
  name: string;
  old: JsonObject | null;
  new: JsonObject | null;
  /** Added to DEFAULT_EXCLUDED_KEYS. */
  excludeKeys?: string[];
  /** Added to DEFAULT_MASKED_KEYS. */
  maskedKeys?: string[];
  expected: { old_value: JsonObject; new_value: JsonObject };
}

/** The key of an item keyed by content, from its cleaned jsonb text. */
export function contentKey(jsonbText: string): string {
  return createHash('sha256').update(jsonbText, 'utf8').digest('hex').slice(0, 16);
}

const R = '[redacted]';
const nothing = { old_value: {}, new_value: {} };

/** The jsonb text of the door code item once its masked `pin` is cleaned. */
export const DOOR_CODE_TEXT = '{"pin": "[redacted]", "label": "door"}';
const door = contentKey(DOOR_CODE_TEXT);

export const diffVectors: DiffVector[] = [
  // --- scalars -------------------------------------------------------------------------
  {
    name: 'unchanged object',
    old: { a: 1, s: 'x', b: { c: [1, 2] }, t: true, z: null },
    new: { z: null, t: true, b: { c: [1, 2] }, s: 'x', a: 1 },
    expected: nothing,
  },
  {
    name: 'both sides empty',
    old: {},
    new: {},
    expected: nothing,
  },
  {
    name: 'scalar changes keep only the changed keys',
    old: { a: 1, b: 2, c: 'x', d: 1.5 },
    new: { a: 1, b: 3, c: 'y', d: -0.25 },
    expected: { old_value: { b: 2, c: 'x', d: 1.5 }, new_value: { b: 3, c: 'y', d: -0.25 } },
  },
  {
    name: 'a number and its string are different values',
    old: { a: 1 },
    new: { a: '1' },
    expected: { old_value: { a: 1 }, new_value: { a: '1' } },
  },
  {
    name: 'null and false differ',
    old: { a: null },
    new: { a: false },
    expected: { old_value: { a: null }, new_value: { a: false } },
  },
  {
    name: '0 and "" differ',
    old: { a: 0 },
    new: { a: '' },
    expected: { old_value: { a: 0 }, new_value: { a: '' } },
  },
  {
    name: 'false and 0 differ',
    old: { a: false, b: '' },
    new: { a: 0, b: null },
    expected: { old_value: { a: false, b: '' }, new_value: { a: 0, b: null } },
  },
  {
    name: 'added keys holding 0, false and "" have null on the old side',
    old: {},
    new: { a: 0, b: false, c: '' },
    expected: { old_value: { a: null, b: null, c: null }, new_value: { a: 0, b: false, c: '' } },
  },
  {
    name: 'a key null on one side and absent on the other is no change',
    old: { a: null, b: 1 },
    new: { b: 1, c: null },
    expected: nothing,
  },
  {
    name: 'a key on one side only has null on the other',
    old: { a: 1, gone: 'x' },
    new: { a: 1, added: [1] },
    expected: {
      old_value: { gone: 'x', added: null },
      new_value: { gone: null, added: [1] },
    },
  },
  {
    name: 'a null old side (a create) diffs against {}',
    old: null,
    new: { a: 1, id: 3, nested: { b: 'x' } },
    expected: { old_value: { a: null, nested: null }, new_value: { a: 1, nested: { b: 'x' } } },
  },
  {
    name: 'a null new side (a delete) diffs against {}',
    old: { a: 1, createdAt: 't' },
    new: null,
    expected: { old_value: { a: 1 }, new_value: { a: null } },
  },
  {
    name: 'keys are compared with their case: ID is not the excluded id',
    old: { ID: 1, Id: 1 },
    new: { ID: 2, Id: 2 },
    expected: { old_value: { ID: 1, Id: 1 }, new_value: { ID: 2, Id: 2 } },
  },

  // --- nested objects --------------------------------------------------------------------
  {
    name: 'nested objects are compared key by key',
    old: { profile: { name: 'Ann', address: { city: 'Oslo', zip: '0150' } } },
    new: { profile: { name: 'Ann', address: { city: 'Bergen', zip: '0150' } } },
    expected: {
      old_value: { profile: { address: { city: 'Oslo' } } },
      new_value: { profile: { address: { city: 'Bergen' } } },
    },
  },
  {
    name: 'an unchanged nested object is left out',
    old: { k: 1, same: { x: 1, y: { z: [2, 3] } } },
    new: { k: 2, same: { y: { z: [2, 3] }, x: 1 } },
    expected: { old_value: { k: 1 }, new_value: { k: 2 } },
  },
  {
    name: 'a nested key on one side only has null on the other',
    old: { n: { a: 1 } },
    new: { n: { a: 1, b: 2 } },
    expected: { old_value: { n: { b: null } }, new_value: { n: { b: 2 } } },
  },
  {
    name: 'an object against null is reported whole, without excluded keys',
    old: { meta: null },
    new: { meta: { a: 1, id: 5, b: { c: 2, updatedAt: 'x' } } },
    expected: { old_value: { meta: null }, new_value: { meta: { a: 1, b: { c: 2 } } } },
  },
  {
    name: 'an object against a string is reported whole',
    old: { meta: { a: 1, updatedAt: 'x' } },
    new: { meta: 'none' },
    expected: { old_value: { meta: { a: 1 } }, new_value: { meta: 'none' } },
  },
  {
    name: 'an empty object against an absent key is a change',
    old: { n: {} },
    new: {},
    expected: { old_value: { n: {} }, new_value: { n: null } },
  },
  {
    name: 'an object against an array is reported whole',
    old: { x: [1] },
    new: { x: { a: 1 } },
    expected: { old_value: { x: [1] }, new_value: { x: { a: 1 } } },
  },

  // --- arrays of primitives and mixed arrays ------------------------------------------------
  {
    name: 'arrays of primitives are reported whole',
    old: { tags: ['a', 'b', 'c'] },
    new: { tags: ['a', 'x', 'c'] },
    expected: { old_value: { tags: ['a', 'b', 'c'] }, new_value: { tags: ['a', 'x', 'c'] } },
  },
  {
    name: 'reordering an array of primitives is a change',
    old: { tags: [1, 2] },
    new: { tags: [2, 1] },
    expected: { old_value: { tags: [1, 2] }, new_value: { tags: [2, 1] } },
  },
  {
    name: 'an unchanged array of primitives is left out',
    old: { tags: ['a', null, 0, false], k: 1 },
    new: { tags: ['a', null, 0, false], k: 1 },
    expected: nothing,
  },
  {
    name: 'an empty array against an array of primitives',
    old: { tags: [] },
    new: { tags: [1] },
    expected: { old_value: { tags: [] }, new_value: { tags: [1] } },
  },
  {
    name: 'arrays of arrays are reported whole',
    old: { m: [[1, 2]] },
    new: { m: [[1, 3]] },
    expected: { old_value: { m: [[1, 2]] }, new_value: { m: [[1, 3]] } },
  },
  {
    name: 'arrays of arrays of objects are reported whole, not keyed',
    old: { m: [[{ a: 1 }], [{ a: 2 }]] },
    new: { m: [[{ a: 1 }], [{ a: 3 }]] },
    expected: {
      old_value: { m: [[{ a: 1 }], [{ a: 2 }]] },
      new_value: { m: [[{ a: 1 }], [{ a: 3 }]] },
    },
  },
  {
    name: 'arrays of empty arrays are reported whole',
    old: { m: [[]] },
    new: { m: [[], []] },
    expected: { old_value: { m: [[]] }, new_value: { m: [[], []] } },
  },
  {
    name: 'mixed arrays are reported whole, without excluded keys',
    old: { a: [1, { id: 1, x: 1 }] },
    new: { a: [1, { id: 1, x: 2 }] },
    expected: { old_value: { a: [1, { x: 1 }] }, new_value: { a: [1, { x: 2 }] } },
  },
  {
    name: 'an array of objects against an array of primitives is reported whole',
    old: { a: [{ id: 1, n: 'x' }] },
    new: { a: [1] },
    expected: { old_value: { a: [{ n: 'x' }] }, new_value: { a: [1] } },
  },
  {
    name: 'empty arrays on both sides are no change',
    old: { items: [], nested: { list: [] } },
    new: { items: [], nested: { list: [] } },
    expected: nothing,
  },

  // --- arrays of objects keyed by id, uuid, document_type -------------------------------------
  {
    name: 'items keyed by id (the README example)',
    old: {
      items: [
        { id: 1, n: 'x' },
        { id: 2, n: 'y' },
      ],
    },
    new: {
      items: [
        { id: 1, n: 'x' },
        { id: 2, n: 'z' },
      ],
    },
    expected: {
      old_value: { items: { '2': { n: 'y' } } },
      new_value: { items: { '2': { n: 'z' } } },
    },
  },
  {
    name: 'reordering items keyed by id is no change',
    old: {
      items: [
        { id: 1, n: 'x' },
        { id: 2, n: 'y' },
      ],
    },
    new: {
      items: [
        { id: 2, n: 'y' },
        { id: 1, n: 'x' },
      ],
    },
    expected: nothing,
  },
  {
    name: 'added and removed items have null on the other side, without excluded keys',
    old: { items: [{ id: 1, n: 'x', createdAt: 't' }] },
    new: { items: [{ id: 2, n: 'y', updated_at: 't' }] },
    expected: {
      old_value: { items: { '1': { n: 'x' }, '2': null } },
      new_value: { items: { '1': null, '2': { n: 'y' } } },
    },
  },
  {
    name: 'an empty array against items keyed by id: all added',
    old: { items: [] },
    new: {
      items: [
        { id: 'a', n: 'x' },
        { id: 'b', n: 'y' },
      ],
    },
    expected: {
      old_value: { items: { a: null, b: null } },
      new_value: { items: { a: { n: 'x' }, b: { n: 'y' } } },
    },
  },
  {
    name: 'items keyed by id against an empty array: all removed',
    old: { items: [{ id: 7, n: 'x', url: 'u' }] },
    new: { items: [] },
    expected: { old_value: { items: { '7': { n: 'x' } } }, new_value: { items: { '7': null } } },
  },
  {
    name: 'items whose only change is in excluded keys are no change',
    old: { items: [{ id: 1, n: 'x', updatedAt: 'a', url: 'u1' }] },
    new: { items: [{ id: 1, n: 'x', updatedAt: 'b', url: 'u2' }] },
    expected: nothing,
  },
  {
    name: 'items keyed by id are compared key by key, nested keyed items too',
    old: { items: [{ id: 1, n: 'x', parts: [{ id: 'p1', q: 1 }], tags: ['a'] }] },
    new: { items: [{ id: 1, n: 'x', parts: [{ id: 'p1', q: 2 }], tags: ['a'] }] },
    expected: {
      old_value: { items: { '1': { parts: { p1: { q: 1 } } } } },
      new_value: { items: { '1': { parts: { p1: { q: 2 } } } } },
    },
  },
  {
    name: 'items keyed by uuid',
    old: {
      docs: [
        { uuid: 'u1', v: 1 },
        { uuid: 'u2', v: 1 },
      ],
    },
    new: {
      docs: [
        { uuid: 'u2', v: 1 },
        { uuid: 'u1', v: 2 },
        { uuid: 'u3', v: 3 },
      ],
    },
    expected: {
      old_value: { docs: { u1: { v: 1 }, u3: null } },
      new_value: { docs: { u1: { v: 2 }, u3: { v: 3 } } },
    },
  },
  {
    name: 'items keyed by document_type, which stays in whole items (it is not excluded)',
    old: {
      docs: [
        { document_type: 'passport', number: 'A' },
        { document_type: 'visa', number: 'V' },
      ],
    },
    new: {
      docs: [
        { document_type: 'passport', number: 'B' },
        { document_type: 'licence', number: 'L' },
      ],
    },
    expected: {
      old_value: {
        docs: {
          passport: { number: 'A' },
          visa: { document_type: 'visa', number: 'V' },
          licence: null,
        },
      },
      new_value: {
        docs: {
          passport: { number: 'B' },
          visa: null,
          licence: { document_type: 'licence', number: 'L' },
        },
      },
    },
  },
  {
    name: 'an excluded key field still keys the items, and is left out of them',
    old: { docs: [{ document_type: 'passport', number: 'A' }] },
    new: { docs: [{ document_type: 'visa', number: 'A' }] },
    excludeKeys: ['document_type'],
    expected: {
      old_value: { docs: { passport: { number: 'A' }, visa: null } },
      new_value: { docs: { passport: null, visa: { number: 'A' } } },
    },
  },
  {
    name: 'id is used only when every item on both sides has it: uuid then',
    old: { docs: [{ id: 1, uuid: 'a', v: 1 }] },
    new: { docs: [{ uuid: 'a', v: 2 }] },
    expected: { old_value: { docs: { a: { v: 1 } } }, new_value: { docs: { a: { v: 2 } } } },
  },
  {
    name: 'a null id does not key: document_type then',
    old: { docs: [{ id: null, document_type: 'passport', v: 1 }] },
    new: { docs: [{ id: null, document_type: 'passport', v: 2 }] },
    expected: {
      old_value: { docs: { passport: { v: 1 } } },
      new_value: { docs: { passport: { v: 2 } } },
    },
  },
  {
    name: 'numeric ids in exponent notation are keyed in plain decimal',
    old: { items: [{ id: 1e21, n: 'x' }] },
    new: { items: [{ id: 1e21, n: 'y' }] },
    expected: {
      old_value: { items: { '1000000000000000000000': { n: 'x' } } },
      new_value: { items: { '1000000000000000000000': { n: 'y' } } },
    },
  },
  {
    name: 'an item key that is a masked key name is redacted like any such key',
    old: { docs: [{ document_type: 'password', hint: 'a' }] },
    new: { docs: [{ document_type: 'password', hint: 'b' }] },
    expected: { old_value: { docs: { password: R } }, new_value: { docs: { password: R } } },
  },

  // --- arrays of objects keyed by content ----------------------------------------------------
  {
    name: 'items without a key field are keyed by content',
    old: { lines: [{ n: 1 }, { n: 2 }] },
    new: { lines: [{ n: 2 }, { n: 3 }] },
    expected: {
      old_value: {
        lines: { [contentKey('{"n": 1}')]: { n: 1 }, [contentKey('{"n": 3}')]: null },
      },
      new_value: {
        lines: { [contentKey('{"n": 1}')]: null, [contentKey('{"n": 3}')]: { n: 3 } },
      },
    },
  },
  {
    name: 'reordering items keyed by content is no change',
    old: { lines: [{ b: 1, a: 2 }, { c: 3 }] },
    new: { lines: [{ c: 3 }, { a: 2, b: 1 }] },
    expected: nothing,
  },
  {
    name: 'duplicate ids fall back to content keys (ids left out of the hash)',
    old: {
      items: [
        { id: 1, n: 'a' },
        { id: 1, n: 'b' },
      ],
    },
    new: { items: [{ id: 1, n: 'a' }] },
    expected: {
      old_value: { items: { [contentKey('{"n": "b"}')]: { n: 'b' } } },
      new_value: { items: { [contentKey('{"n": "b"}')]: null } },
    },
  },
  {
    name: 'items where only some have an id are keyed by content',
    old: { items: [{ id: 1, n: 'a' }, { n: 'b' }] },
    new: { items: [{ id: 1, n: 'a' }, { n: 'c' }] },
    expected: {
      old_value: {
        items: { [contentKey('{"n": "b"}')]: { n: 'b' }, [contentKey('{"n": "c"}')]: null },
      },
      new_value: {
        items: { [contentKey('{"n": "b"}')]: null, [contentKey('{"n": "c"}')]: { n: 'c' } },
      },
    },
  },
  {
    name: 'an id and its string collide: items keyed by content',
    old: {
      items: [
        { id: 1, n: 'a' },
        { id: '1', n: 'b' },
      ],
    },
    new: { items: [{ id: 1, n: 'a' }] },
    expected: {
      old_value: { items: { [contentKey('{"n": "b"}')]: { n: 'b' } } },
      new_value: { items: { [contentKey('{"n": "b"}')]: null } },
    },
  },
  {
    name: 'content keys follow jsonb key order (byte length, then bytes) and escapes',
    old: {
      rows: [{ ccc: 'é', bb: 1, a: { zz: 1, y: [1, { q: 'x' }] }, é: 'line\n"q" \\ \t\u0001 😀' }],
    },
    new: { rows: [] },
    expected: {
      old_value: {
        rows: {
          [contentKey(
            '{"a": {"y": [1, {"q": "x"}], "zz": 1}, "bb": 1, "é": "line\\n\\"q\\" \\\\ \\t\\u0001 😀", "ccc": "é"}',
          )]: { ccc: 'é', bb: 1, a: { zz: 1, y: [1, { q: 'x' }] }, é: 'line\n"q" \\ \t\u0001 😀' },
        },
      },
      new_value: {
        rows: {
          [contentKey(
            '{"a": {"y": [1, {"q": "x"}], "zz": 1}, "bb": 1, "é": "line\\n\\"q\\" \\\\ \\t\\u0001 😀", "ccc": "é"}',
          )]: null,
        },
      },
    },
  },
  {
    name: 'content keys print numbers in plain decimal, as jsonb does',
    old: { rows: [{ big: 1e21, small: 1e-7, neg: -1.5e-7, f: 0.1, i: -3 }] },
    new: { rows: [] },
    expected: {
      old_value: {
        rows: {
          [contentKey(
            '{"f": 0.1, "i": -3, "big": 1000000000000000000000, "neg": -0.00000015, "small": 0.0000001}',
          )]: { big: 1e21, small: 1e-7, neg: -1.5e-7, f: 0.1, i: -3 },
        },
      },
      new_value: {
        rows: {
          [contentKey(
            '{"f": 0.1, "i": -3, "big": 1000000000000000000000, "neg": -0.00000015, "small": 0.0000001}',
          )]: null,
        },
      },
    },
  },
  {
    name: 'content keys leave excluded keys out: a change there only is no change',
    old: { lines: [{ n: 1, createdAt: 'a', nested: { updated_by: 'x' } }] },
    new: { lines: [{ n: 1, createdAt: 'b', nested: { updated_by: 'y' } }] },
    expected: nothing,
  },
  {
    name: 'an added content-keyed item comes out without its excluded keys',
    old: { lines: [] },
    new: { lines: [{ n: 2, url: 'x', createdAt: 'b', sub: { url: 'u', k: 1 } }] },
    expected: {
      old_value: { lines: { [contentKey('{"n": 2, "sub": {"k": 1}}')]: null } },
      new_value: { lines: { [contentKey('{"n": 2, "sub": {"k": 1}}')]: { n: 2, sub: { k: 1 } } } },
    },
  },
  {
    name: 'duplicate identical items are told apart by #2',
    old: { lines: [{ n: 1 }, { n: 1 }] },
    new: { lines: [{ n: 1 }] },
    expected: {
      old_value: { lines: { [`${contentKey('{"n": 1}')}#2`]: { n: 1 } } },
      new_value: { lines: { [`${contentKey('{"n": 1}')}#2`]: null } },
    },
  },
  {
    name: 'added duplicates get #2 and #3',
    old: { lines: [{ n: 1 }] },
    new: { lines: [{ n: 1 }, { n: 1 }, { n: 1 }] },
    expected: {
      old_value: {
        lines: { [`${contentKey('{"n": 1}')}#2`]: null, [`${contentKey('{"n": 1}')}#3`]: null },
      },
      new_value: {
        lines: {
          [`${contentKey('{"n": 1}')}#2`]: { n: 1 },
          [`${contentKey('{"n": 1}')}#3`]: { n: 1 },
        },
      },
    },
  },

  // --- excluded keys ---------------------------------------------------------------------------
  {
    name: 'default excluded keys are left out at the top',
    old: {
      id: 1,
      uuid: 'a',
      url: 'u',
      created_at: 'a',
      updated_at: 'a',
      created_by: 'a',
      updated_by: 'a',
      createdAt: 'a',
      updatedAt: 'a',
      createdBy: 'a',
      updatedBy: 'a',
    },
    new: {
      id: 2,
      uuid: 'b',
      url: 'v',
      created_at: 'b',
      updated_at: 'b',
      created_by: 'b',
      updated_by: 'b',
      createdAt: 'b',
      updatedAt: 'b',
      createdBy: 'b',
      updatedBy: 'b',
    },
    expected: nothing,
  },
  {
    name: 'default excluded keys are left out at every depth',
    old: { id: 1, updatedAt: 'a', nested: { url: 'u1', created_by: 'x', deep: { uuid: 'a' } } },
    new: { id: 2, updatedAt: 'b', nested: { url: 'u2', created_by: 'y', deep: { uuid: 'b' } } },
    expected: nothing,
  },
  {
    name: 'default excluded keys are left out of whole values and added keys',
    old: { n: 1 },
    new: {
      n: 1,
      added: { id: 9, a: 1, deep: { createdAt: 't', b: [{ updatedBy: 'u', c: 1 }] } },
      id: 5,
    },
    expected: {
      old_value: { added: null },
      new_value: { added: { a: 1, deep: { b: [{ c: 1 }] } } },
    },
  },
  {
    name: 'excludeKeys adds to the defaults, at every depth',
    old: { a: 1, version: 1, nested: { version: 1, b: 1 }, id: 1 },
    new: { a: 1, version: 2, nested: { version: 2, b: 2 }, id: 2 },
    excludeKeys: ['version'],
    expected: { old_value: { nested: { b: 1 } }, new_value: { nested: { b: 2 } } },
  },
  {
    name: 'without excludeKeys the same keys are compared',
    old: { a: 1, version: 1, nested: { version: 1, b: 1 }, id: 1 },
    new: { a: 1, version: 2, nested: { version: 2, b: 2 }, id: 2 },
    expected: {
      old_value: { version: 1, nested: { version: 1, b: 1 } },
      new_value: { version: 2, nested: { version: 2, b: 2 } },
    },
  },
  {
    name: 'excludeKeys applies inside items and to content keys',
    old: { lines: [{ n: 1, version: 1 }], items: [{ id: 1, n: 'a', version: 1 }] },
    new: {
      lines: [{ n: 1, version: 2 }],
      items: [
        { id: 1, n: 'a', version: 2 },
        { id: 2, version: 1 },
      ],
    },
    excludeKeys: ['version'],
    expected: { old_value: { items: { '2': null } }, new_value: { items: { '2': {} } } },
  },

  // --- masked keys -----------------------------------------------------------------------------
  {
    name: 'a changed masked key shows "[redacted]" on both sides',
    old: { name: 'a', password: 'hunter2' },
    new: { name: 'b', password: 'hunter3' },
    expected: { old_value: { name: 'a', password: R }, new_value: { name: 'b', password: R } },
  },
  {
    name: 'an unchanged masked key is left out',
    old: { password: 'same', token: null, n: 1 },
    new: { password: 'same', n: 2 },
    expected: { old_value: { n: 1 }, new_value: { n: 2 } },
  },
  {
    name: 'a masked key added or removed is "[redacted]" on both sides',
    old: { secret: 's' },
    new: { token: 't' },
    expected: { old_value: { secret: R, token: R }, new_value: { secret: R, token: R } },
  },
  {
    name: 'a masked key going from null to a value is "[redacted]" on both sides',
    old: { accessToken: null },
    new: { accessToken: 'abc' },
    expected: { old_value: { accessToken: R }, new_value: { accessToken: R } },
  },
  {
    name: 'masked keys match without case, "_" and "-"; whole keys only',
    old: {
      apiKey: 'a1',
      api_key: 'a2',
      'API-KEY': 'a3',
      PASSWORD: 'p',
      pass_word: 'p',
      Authorization: 'Bearer x',
      tokenCount: 1,
      passwordHint: 'h1',
    },
    new: {
      apiKey: 'b1',
      api_key: 'b2',
      'API-KEY': 'b3',
      PASSWORD: 'q',
      pass_word: 'q',
      Authorization: 'Bearer y',
      tokenCount: 2,
      passwordHint: 'h2',
    },
    expected: {
      old_value: {
        apiKey: R,
        api_key: R,
        'API-KEY': R,
        PASSWORD: R,
        pass_word: R,
        Authorization: R,
        tokenCount: 1,
        passwordHint: 'h1',
      },
      new_value: {
        apiKey: R,
        api_key: R,
        'API-KEY': R,
        PASSWORD: R,
        pass_word: R,
        Authorization: R,
        tokenCount: 2,
        passwordHint: 'h2',
      },
    },
  },
  {
    name: 'nested masked keys are "[redacted]"',
    old: { user: { profile: { api_key: 'x', name: 'a' }, client_secret: 'c1' } },
    new: { user: { profile: { api_key: 'y', name: 'b' }, client_secret: 'c2' } },
    expected: {
      old_value: { user: { profile: { api_key: R, name: 'a' }, client_secret: R } },
      new_value: { user: { profile: { api_key: R, name: 'b' }, client_secret: R } },
    },
  },
  {
    name: 'a masked key holding an object is "[redacted]" whole',
    old: { secret: { a: 1, b: 1 } },
    new: { secret: { a: 2, b: 1 } },
    expected: { old_value: { secret: R }, new_value: { secret: R } },
  },
  {
    name: 'masked keys inside a whole value are "[redacted]"',
    old: { meta: null },
    new: { meta: { secret: 's', a: 1, deep: [{ refresh_token: 'r' }] } },
    expected: {
      old_value: { meta: null },
      new_value: { meta: { secret: R, a: 1, deep: [{ refresh_token: R }] } },
    },
  },
  {
    name: 'a change inside a masked key of a mixed array shows, its values do not',
    old: { a: [1, { password: 'a' }] },
    new: { a: [1, { password: 'b' }] },
    expected: { old_value: { a: [1, { password: R }] }, new_value: { a: [1, { password: R }] } },
  },
  {
    name: 'masked keys inside keyed items, changed and added',
    old: { users: [{ id: 1, name: 'a', passwordHash: 'h1' }] },
    new: {
      users: [
        { id: 1, name: 'a', passwordHash: 'h2' },
        { id: 2, name: 'b', passwordHash: 'h3' },
      ],
    },
    expected: {
      old_value: { users: { '1': { passwordHash: R }, '2': null } },
      new_value: { users: { '1': { passwordHash: R }, '2': { name: 'b', passwordHash: R } } },
    },
  },
  {
    name: 'maskedKeys adds to the defaults, normalized',
    old: { ssn: '123', n: { SSN: '1', private_key: 'k1' } },
    new: { ssn: '456', n: { SSN: '2', private_key: 'k2' } },
    maskedKeys: ['ssn'],
    expected: {
      old_value: { ssn: R, n: { SSN: R, private_key: R } },
      new_value: { ssn: R, n: { SSN: R, private_key: R } },
    },
  },
  {
    name: 'masked keys match without case beyond ASCII',
    old: { ПАРОЛЬ: 'a', Kennwört: 'x' },
    new: { ПАРОЛЬ: 'b', Kennwört: 'y' },
    maskedKeys: ['пароль', 'KENNWÖRT'],
    expected: { old_value: { ПАРОЛЬ: R, Kennwört: R }, new_value: { ПАРОЛЬ: R, Kennwört: R } },
  },
  {
    name: 'a masked key that is also excluded is left out',
    old: { url: 'a' },
    new: { url: 'b' },
    maskedKeys: ['url'],
    expected: nothing,
  },

  // --- masked keys in items keyed by content -------------------------------------------------
  {
    name: 'a content-keyed item with pin 1234 is keyed without its pin',
    old: { codes: [{ label: 'door', pin: '1234' }] },
    new: { codes: [] },
    maskedKeys: ['pin'],
    expected: {
      old_value: { codes: { [door]: { label: 'door', pin: R } } },
      new_value: { codes: { [door]: null } },
    },
  },
  {
    name: 'a content-keyed item with pin 9999 gets the same key as with pin 1234',
    old: { codes: [{ label: 'door', pin: '9999' }] },
    new: { codes: [] },
    maskedKeys: ['pin'],
    expected: {
      old_value: { codes: { [door]: { label: 'door', pin: R } } },
      new_value: { codes: { [door]: null } },
    },
  },
  {
    name: 'items differing only in a masked pin match: the pin change shows redacted',
    old: { codes: [{ label: 'door', pin: '1234' }] },
    new: { codes: [{ pin: '9999', label: 'door' }] },
    maskedKeys: ['pin'],
    expected: {
      old_value: { codes: { [door]: { pin: R } } },
      new_value: { codes: { [door]: { pin: R } } },
    },
  },
  {
    name: 'two items differing only in a masked pin get the same key, then #2',
    old: {
      codes: [
        { label: 'door', pin: '1234' },
        { label: 'door', pin: '9999' },
      ],
    },
    new: { codes: [] },
    maskedKeys: ['pin'],
    expected: {
      old_value: {
        codes: { [door]: { label: 'door', pin: R }, [`${door}#2`]: { label: 'door', pin: R } },
      },
      new_value: { codes: { [door]: null, [`${door}#2`]: null } },
    },
  },
  {
    name: 'a content key never covers a nested masked value',
    old: { hooks: [{ n: 'a', auth: { token: 'x1', kind: 'bearer' } }] },
    new: { hooks: [{ n: 'a', auth: { token: 'x2', kind: 'bearer' } }] },
    expected: {
      old_value: {
        hooks: {
          [contentKey('{"n": "a", "auth": {"kind": "bearer", "token": "[redacted]"}}')]: {
            auth: { token: R },
          },
        },
      },
      new_value: {
        hooks: {
          [contentKey('{"n": "a", "auth": {"kind": "bearer", "token": "[redacted]"}}')]: {
            auth: { token: R },
          },
        },
      },
    },
  },
];
