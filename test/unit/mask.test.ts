import { describe, expect, it } from 'vitest';
import {
  createDiffSchema,
  createKeyMatcher,
  DEFAULT_MASKED_KEYS,
  maskSensitive,
  toJsonSafe,
} from '../../src/service/index.js';

describe('maskSensitive', () => {
  it('masks the default keys', () => {
    expect(DEFAULT_MASKED_KEYS).toEqual(
      expect.arrayContaining(['password', 'passwordHash', 'token', 'secret', 'apiKey']),
    );
    expect(
      maskSensitive({
        password: 'a',
        passwordHash: 'b',
        token: 'c',
        secret: 'd',
        apiKey: 'e',
        name: 'n',
      }),
    ).toEqual({
      password: '[redacted]',
      passwordHash: '[redacted]',
      token: '[redacted]',
      secret: '[redacted]',
      apiKey: '[redacted]',
      name: 'n',
    });
  });

  it('matches case-insensitively, ignoring _ and -', () => {
    expect(maskSensitive({ PASSWORD: 1, api_key: 2, 'API-KEY': 3, password_hash: 4 })).toEqual({
      PASSWORD: '[redacted]',
      api_key: '[redacted]',
      'API-KEY': '[redacted]',
      password_hash: '[redacted]',
    });
  });

  it('matches whole keys only', () => {
    expect(maskSensitive({ tokenCount: 3, mySecretary: 'x' })).toEqual({
      tokenCount: 3,
      mySecretary: 'x',
    });
  });

  it('masks at any depth and inside arrays, whatever the value', () => {
    const input = {
      user: { profile: { secret: { nested: 'x' } } },
      list: [{ token: 't' }, [{ password: null }], 'plain'],
    };
    expect(maskSensitive(input)).toEqual({
      user: { profile: { secret: '[redacted]' } },
      list: [{ token: '[redacted]' }, [{ password: '[redacted]' }], 'plain'],
    });
  });

  it('leaves absent keys absent', () => {
    expect(maskSensitive({ name: 'x' })).toEqual({ name: 'x' });
    expect(Object.keys(maskSensitive({ name: 'x' }))).toEqual(['name']);
  });

  it('masks both sides of a diff', () => {
    const diff = createDiffSchema(
      { password: 'old-pw', items: [{ id: 1, token: 'old-t' }] },
      { password: 'new-pw', items: [{ id: 1, token: 'new-t' }] },
    );
    const masked = maskSensitive(diff);
    expect(masked).toEqual({
      old_value: { password: '[redacted]', items: { '1': { token: '[redacted]' } } },
      new_value: { password: '[redacted]', items: { '1': { token: '[redacted]' } } },
    });
    expect(JSON.stringify(masked)).not.toMatch(/old-pw|new-pw|old-t|new-t/);
  });

  it('uses the keys given instead of the defaults', () => {
    expect(maskSensitive({ ssn: '1', password: 'p' }, ['ssn'])).toEqual({
      ssn: '[redacted]',
      password: 'p',
    });
    expect(maskSensitive({ ssn: '1' }, (key) => key === 'ssn')).toEqual({ ssn: '[redacted]' });
  });

  it('does not mutate its input and copies cycles', () => {
    const input: Record<string, unknown> = { password: 'p', nested: { token: 't' } };
    input.self = input;
    const masked = maskSensitive(input);
    expect(input.password).toBe('p');
    expect((input.nested as Record<string, unknown>).token).toBe('t');
    expect(masked.self).toBe(masked);
    expect(masked.password).toBe('[redacted]');
  });

  it('keeps non-plain objects as they are', () => {
    const at = new Date(0);
    expect(maskSensitive({ at }).at).toBe(at);
  });
});

describe('createKeyMatcher', () => {
  it('normalises the keys given', () => {
    const isMasked = createKeyMatcher(['Social_Security-Number']);
    expect(isMasked('socialSecurityNumber')).toBe(true);
    expect(isMasked('social')).toBe(false);
  });
});

// Issue 11, defect 10: Maps (and Sets) are copied with their masked entries redacted, whatever
// their other keys, so a masked copy turned into JSON later holds no secret.
describe('maskSensitive of Maps and Sets', () => {
  const objectKey = { kind: 'object key' };

  it('redacts a masked string key of a Map with an object key, at every depth', () => {
    const input = {
      settings: new Map<unknown, unknown>([
        [objectKey, { password: 'in-key-value' }],
        ['password', 'hunter2'],
        [new String('token'), 'tok-1'],
        [
          'nested',
          new Map<unknown, unknown>([
            [[1], 2],
            ['secret', 'shh'],
          ]),
        ],
      ]),
      set: new Set([{ apiKey: 'k-1' }]),
    };
    const masked = maskSensitive(input);
    const settings = masked.settings as Map<unknown, unknown>;
    expect(settings).not.toBe(input.settings);
    expect(settings.get('password')).toBe('[redacted]');
    expect([...settings.values()][2]).toBe('[redacted]');
    expect(settings.get([...settings.keys()][0])).toEqual({ password: '[redacted]' });
    expect((settings.get('nested') as Map<unknown, unknown>).get('secret')).toBe('[redacted]');
    expect([...(masked.set as Set<unknown>)]).toEqual([{ apiKey: '[redacted]' }]);
    const text = JSON.stringify(toJsonSafe(masked));
    for (const secret of ['in-key-value', 'hunter2', 'tok-1', 'shh', 'k-1']) {
      expect(text).not.toContain(secret);
    }
    expect(input.settings.get('password')).toBe('hunter2');
  });

  it('masks object keys of a Map too, and copies cycles through Maps', () => {
    const key = { token: 'in-key' };
    const map = new Map<unknown, unknown>([[key, 1]]);
    map.set('self', map);
    const masked = maskSensitive(map);
    expect([...masked.keys()][0]).toEqual({ token: '[redacted]' });
    expect(masked.get('self')).toBe(masked);
    expect(key.token).toBe('in-key');
  });
});
