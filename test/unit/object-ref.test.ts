import { describe, expect, it } from 'vitest';
import { EventLogValidationError } from '../../src/errors.js';
import { isObjectRef, objectRef } from '../../src/service/index.js';

describe('objectRef', () => {
  it('keeps the model, the id as a string and the row', () => {
    const row = { id: 12n, name: 'x' };
    const ref = objectRef('Certificate', row);
    expect(ref.model).toBe('Certificate');
    expect(ref.id).toBe('12');
    expect(ref.row).toBe(row);
    expect(objectRef('User', { id: 'u-1' }).id).toBe('u-1');
  });

  it('can be told from plain objects', () => {
    expect(isObjectRef(objectRef('User', { id: 1 }))).toBe(true);
    expect(isObjectRef({ model: 'User', id: '1', row: {} })).toBe(false);
    expect(isObjectRef(null)).toBe(false);
    expect(JSON.parse(JSON.stringify(objectRef('User', { id: 1 })))).toEqual({
      model: 'User',
      id: '1',
      row: { id: 1 },
    });
  });

  it('refuses a missing model or id', () => {
    expect(() => objectRef('', { id: 1 })).toThrow(EventLogValidationError);
    expect(() => objectRef('User', { id: null })).toThrow(
      "objectRef('User', row) needs row.id as a string, number or bigint; got null.",
    );
    expect(() => objectRef('User', { id: '' })).toThrow(EventLogValidationError);
  });
});
