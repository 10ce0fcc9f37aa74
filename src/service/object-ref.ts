import { EventLogValidationError } from '../errors.js';

const objectRefBrand: unique symbol = Symbol.for('pothos-eventlog.ObjectRef') as never;

/** A row of a model, as an entry's object or a template value: `{ model, id, row }`. */
export interface ObjectRef<Row extends object = object> {
  readonly model: string;
  /** The row's id as a string, as stored in `objectId`. */
  readonly id: string;
  readonly row: Row;
  readonly [objectRefBrand]: true;
}

/**
 * Refers to a row of `model`; `row.id` becomes the stored id (as a string).
 * @example objectRef('Certificate', certificate)
 */
export function objectRef<Row extends { id: unknown } & object>(
  model: string,
  row: Row,
): ObjectRef<Row> {
  if (typeof model !== 'string' || model === '') {
    throw new EventLogValidationError(
      'objectRef() needs a model name as a non-empty string.',
      'model',
    );
  }
  if (typeof row !== 'object' || row === null) {
    throw new EventLogValidationError(
      `objectRef('${model}', row) needs the row as an object.`,
      'row',
    );
  }
  const id = row.id;
  if ((typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'bigint') || id === '') {
    throw new EventLogValidationError(
      `objectRef('${model}', row) needs row.id as a string, number or bigint; got ${describe(id)}.`,
      'row.id',
    );
  }
  const ref = { model, id: String(id), row };
  Object.defineProperty(ref, objectRefBrand, { value: true });
  return Object.freeze(ref) as ObjectRef<Row>;
}

export function isObjectRef(value: unknown): value is ObjectRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<Record<typeof objectRefBrand, unknown>>)[objectRefBrand] === true
  );
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
