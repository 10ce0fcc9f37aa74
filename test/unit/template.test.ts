import { Decimal } from '@prisma/client/runtime/client';
import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../src/errors.js';
import {
  collectTemplateValues,
  objectRef,
  parseTemplate,
  renderStoredTemplate,
  renderTemplate,
  templatePlaceholders,
} from '../../src/service/index.js';

function templateError(run: () => unknown): TemplateError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).code).toBe('TEMPLATE_ERROR');
    return error as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

const owner = { id: 3, fullName: 'Ann Lee', password: 'hunter2', address: null };
const cert = objectRef('Certificate', { id: 7, name: 'Cert A', owner, issuedAt: new Date(0) });

describe('parseTemplate', () => {
  it('splits text and placeholders, with their segments and positions', () => {
    expect(parseTemplate('Item {item__name} by {user}.')).toEqual([
      { type: 'text', text: 'Item ' },
      { type: 'placeholder', key: 'item__name', segments: ['item', 'name'], position: 5 },
      { type: 'text', text: ' by ' },
      { type: 'placeholder', key: 'user', segments: ['user'], position: 21 },
      { type: 'text', text: '.' },
    ]);
  });

  it('reads {{ and }} as literal braces', () => {
    expect(parseTemplate('{{a}} {{{b}}}')).toEqual([
      { type: 'text', text: '{a} {' },
      { type: 'placeholder', key: 'b', segments: ['b'], position: 8 },
      { type: 'text', text: '}' },
    ]);
  });

  it('lists the distinct placeholders', () => {
    expect(templatePlaceholders('{a} {b__c} {a}')).toEqual(['a', 'b__c']);
  });

  it('names the position of an unbalanced brace', () => {
    expect(templateError(() => parseTemplate('Item {name')).message).toContain(
      'Unbalanced "{" at position 5',
    );
    expect(templateError(() => parseTemplate('Item name}')).message).toContain(
      'Unbalanced "}" at position 9',
    );
    expect(templateError(() => parseTemplate('a {b {c}')).message).toContain(
      'Unbalanced "{" at position 2',
    );
  });

  it('rejects an empty placeholder', () => {
    expect(templateError(() => parseTemplate('Item {} done')).message).toContain(
      'Empty placeholder "{}" at position 5',
    );
  });

  it('rejects malformed placeholders', () => {
    expect(templateError(() => parseTemplate('{item__}')).message).toContain('{item__}');
    expect(templateError(() => parseTemplate('{ item }')).placeholder).toBe(' item ');
  });
});

describe('renderTemplate', () => {
  it('substitutes primitives as they are, whatever the key says', () => {
    expect(renderTemplate('{item__name}', { item__name: 'Cert A' })).toBe('Cert A');
    expect(renderTemplate('{a} {b} {c} {d}|', { a: 'x', b: 2.5, c: true, d: 10n })).toBe(
      'x 2.5 true 10|',
    );
  });

  it('renders 0, false and "" as values', () => {
    expect(renderTemplate('[{a}][{b}][{c}]', { a: 0, b: false, c: '' })).toBe('[0][false][]');
  });

  it('renders literal braces', () => {
    expect(renderTemplate('{{literal}} {x} }}', { x: 1 })).toBe('{literal} 1 }');
  });

  it('prefers the whole key, then the first segment', () => {
    expect(renderTemplate('{item__name}', { item__name: 'whole', item: { name: 'nested' } })).toBe(
      'whole',
    );
    expect(renderTemplate('{item__name}', { item: { name: 'nested' } })).toBe('nested');
    expect(renderTemplate('{count__x}', { count: 5 })).toBe('5');
  });

  it('reads objects and objectRefs along the path', () => {
    expect(renderTemplate('{cert__owner__fullName}', { cert })).toBe('Ann Lee');
    expect(renderTemplate('{cert__name}', { cert: { name: 'Plain' } })).toBe('Plain');
    expect(
      renderTemplate('{cert__holder__name}', {
        cert: { holder: objectRef('User', { id: 1, name: 'Bo' }) },
      }),
    ).toBe('Bo');
  });

  it('renders Dates as ISO strings and Decimals as decimal strings', () => {
    expect(renderTemplate('{cert__issuedAt}', { cert })).toBe('1970-01-01T00:00:00.000Z');
    expect(renderTemplate('{at}', { at: new Date(0) })).toBe('1970-01-01T00:00:00.000Z');
    expect(renderTemplate('{p}', { p: new Decimal('12.50') })).toBe('12.5');
  });

  it('redacts a placeholder whose path ends with a masked key', () => {
    expect(renderTemplate('{cert__owner__password}', { cert })).toBe('[redacted]');
    expect(renderTemplate('{password}', { password: 'hunter2' })).toBe('[redacted]');
    expect(renderTemplate('{user__api_key}', { user: { api_key: 'k' } })).toBe('[redacted]');
    expect(renderTemplate('{token__name}', { token: { name: 'CI token' } })).toBe('CI token');
    expect(renderTemplate('{user__ssn}', { user: { ssn: '1' } }, { maskedKeys: ['ssn'] })).toBe(
      '[redacted]',
    );
  });

  it('names a placeholder without a value', () => {
    const error = templateError(() => renderTemplate('Hello {user__name}', {}));
    expect(error.placeholder).toBe('user__name');
    expect(error.message).toBe(
      'The template placeholder {user__name} has no value: pass values.user__name or values.user.',
    );
    expect(templateError(() => renderTemplate('{x}', { x: null })).message).toContain(
      'values.x is null',
    );
    expect(templateError(() => renderTemplate('{x}', { x: undefined })).message).toContain(
      'values.x is undefined',
    );
  });

  it('names a null value at the end of the path', () => {
    expect(templateError(() => renderTemplate('{owner__address}', { owner })).message).toContain(
      'values.owner.address is null',
    );
  });

  it('names the placeholder and the missing segment of a path that does not exist', () => {
    const error = templateError(() => renderTemplate('{cert__owner__nme}', { cert }));
    expect(error.placeholder).toBe('cert__owner__nme');
    expect(error.message).toContain('{cert__owner__nme}');
    expect(error.message).toContain('values.cert.owner has no field "nme"');
    expect(
      templateError(() => renderTemplate('{owner__address__city}', { owner })).message,
    ).toContain('cannot read "city": values.owner.address is null');
  });

  it('refuses an object at the end of the path', () => {
    expect(templateError(() => renderTemplate('{cert__owner}', { cert })).message).toContain(
      'refers to an object at values.cert.owner',
    );
    expect(templateError(() => renderTemplate('{cert}', { cert })).message).toContain(
      '{cert} refers to an object',
    );
  });

  it('propagates parse errors', () => {
    expect(templateError(() => renderTemplate('{a', { a: 1 })).message).toContain('Unbalanced');
    expect(templateError(() => renderTemplate('{}', {})).message).toContain('Empty placeholder');
  });
});

describe('collectTemplateValues', () => {
  it('stores { value } for primitives, { model, id, path, snapshot } for refs, { path, snapshot } for objects', () => {
    const values = collectTemplateValues(
      '{cert__owner__fullName} {n} {b} {big} {at} {user__name} {cert__owner__fullName}',
      { cert, n: 0, b: false, big: 9007199254740993n, at: new Date(0), user: { name: 'Bo' } },
    );
    expect(values).toEqual({
      cert__owner__fullName: {
        model: 'Certificate',
        id: '7',
        path: ['owner', 'fullName'],
        snapshot: 'Ann Lee',
      },
      n: { value: 0 },
      b: { value: false },
      big: { value: '9007199254740993' },
      at: { value: '1970-01-01T00:00:00.000Z' },
      user__name: { path: ['name'], snapshot: 'Bo' },
    });
    expect(JSON.parse(JSON.stringify(values))).toEqual(values);
  });

  it('only stores the placeholders the template uses', () => {
    expect(Object.keys(collectTemplateValues('{a}', { a: 1, b: 2 }))).toEqual(['a']);
  });

  it('stores masked values as [redacted]', () => {
    const values = collectTemplateValues('{password} {cert__owner__password}', {
      password: 'hunter2',
      cert,
    });
    expect(values).toEqual({
      password: { value: '[redacted]' },
      cert__owner__password: {
        model: 'Certificate',
        id: '7',
        path: ['owner', 'password'],
        snapshot: '[redacted]',
      },
    });
    expect(JSON.stringify(values)).not.toContain('hunter2');
  });
});

describe('renderStoredTemplate', () => {
  const template = 'Certificate {cert__name} by {user__name}: {n}';
  const stored = collectTemplateValues(template, {
    cert: objectRef('Certificate', { id: 1, name: 'Old name' }),
    user: { name: 'Bo' },
    n: 3,
  });

  it('renders from the snapshots', () => {
    expect(renderStoredTemplate(template, stored)).toBe('Certificate Old name by Bo: 3');
  });

  it('prefers live values, falling back to the snapshot when live gives undefined or null', () => {
    const seen: unknown[] = [];
    const live = (key: string, value: unknown) => {
      seen.push([key, value]);
      if (key === 'cert__name') return 'New name';
      if (key === 'user__name') return null;
      return undefined;
    };
    expect(renderStoredTemplate(template, stored, live)).toBe('Certificate New name by Bo: 3');
    expect(seen[0]).toEqual(['cert__name', stored.cert__name]);
  });

  it('keeps masked placeholders redacted whatever live returns', () => {
    const masked = collectTemplateValues('{user__password}', { user: { password: 'x' } });
    expect(renderStoredTemplate('{user__password}', masked, () => 'leak')).toBe('[redacted]');
  });

  it('throws a TemplateError for a placeholder without stored value', () => {
    expect(templateError(() => renderStoredTemplate('{missing}', stored)).placeholder).toBe(
      'missing',
    );
  });
});
