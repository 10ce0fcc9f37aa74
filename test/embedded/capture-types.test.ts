// The trigger's diff of a model with @@map, @map, a String uuid id and every kind of column
// equals createDiffSchema of the same rows as Prisma returns them (Decimal, BigInt, Bytes,
// DateTime, Json, enum): Prisma field names and JSON-safe values, on PGlite.
import { PGlite } from '@electric-sql/pglite';
import { Decimal } from '@prisma/client/runtime/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaptureDatamodel, captureSql } from '../../src/capture/capture-sql.js';
import { defineEventLogCapture } from '../../src/capture/declaration.js';
import { createDiffSchema } from '../../src/service/diff.js';

const INIT = 'prisma/migrations/20261128193500_init/migration.sql';

const scalar = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind: 'scalar',
  type,
  isList: false,
  ...extra,
});

const datamodel: CaptureDatamodel = {
  enums: [
    {
      name: 'Kind',
      values: [
        { name: 'PHYSICAL', dbName: 'physical' },
        { name: 'DIGITAL', dbName: 'digital' },
      ],
    },
  ],
  models: [
    {
      name: 'Product',
      dbName: 'products',
      fields: [
        scalar('id', 'String', { isId: true, nativeType: ['Uuid', []] }),
        scalar('displayName', 'String', { dbName: 'display_name' }),
        scalar('price', 'Decimal', { nativeType: ['Decimal', ['10', '2']] }),
        scalar('stock', 'BigInt'),
        scalar('ratio', 'Float'),
        scalar('active', 'Boolean'),
        scalar('photo', 'Bytes'),
        scalar('releasedAt', 'DateTime', { dbName: 'released_at' }),
        scalar('checkedAt', 'DateTime', { nativeType: ['Timestamptz', ['3']] }),
        scalar('availableOn', 'DateTime', { nativeType: ['Date', []] }),
        scalar('attributes', 'Json'),
        { name: 'kind', kind: 'enum', type: 'Kind', isList: false },
        scalar('tags', 'String', { isList: true }),
        scalar('secretCode', 'String', { dbName: 'secret_code' }),
      ],
    },
  ],
};

const capture = defineEventLogCapture({
  models: { Product: { tool: 'catalog', mask: ['secretCode'] } },
});

const id = '0b5f8a3e-7c1d-4e2a-9f6b-2d3c4b5a6978';

/** The row as Prisma returns it. */
function prismaRow(values: {
  displayName: string;
  price: string;
  stock: bigint;
  photo: number[];
  releasedAt: string;
  attributes: unknown;
  kind: string;
  tags: string[];
  secretCode: string;
}) {
  return {
    id,
    displayName: values.displayName,
    price: new Decimal(values.price),
    stock: values.stock,
    ratio: 0.1,
    active: true,
    photo: Buffer.from(values.photo),
    releasedAt: new Date(values.releasedAt),
    checkedAt: new Date('2026-01-02T03:04:05.678Z'),
    availableOn: new Date('2026-03-04T00:00:00.000Z'),
    attributes: values.attributes,
    kind: values.kind,
    tags: values.tags,
    secretCode: values.secretCode,
  };
}

const before = {
  displayName: 'Lamp',
  price: '12.50',
  stock: 9007199254740993n,
  photo: [1, 2, 250],
  releasedAt: '2025-12-31T23:59:59.999Z',
  attributes: { color: 'red', parts: [{ name: 'bulb', pin: '1234' }], size: { w: 1, h: 2 } },
  kind: 'PHYSICAL',
  tags: ['a', 'b'],
  secretCode: 'open-sesame',
};
const after = {
  displayName: 'Desk lamp',
  price: '13.00',
  stock: 9007199254740995n,
  photo: [1, 2, 251],
  releasedAt: '2026-01-01T00:00:00.000Z',
  attributes: { color: 'red', parts: [{ name: 'bulb', pin: '9876' }], size: { w: 1, h: 3 } },
  kind: 'DIGITAL',
  tags: ['a', 'c'],
  secretCode: 'open-barley',
};

let db: PGlite;

async function write(sql: string, params: unknown[]) {
  await db.query(sql, params);
}

beforeAll(async () => {
  db = new PGlite();
  const { readFile } = await import('node:fs/promises');
  await db.exec(await readFile(INIT, 'utf8'));
  await db.exec(`CREATE TYPE "Kind" AS ENUM ('physical', 'digital');
    CREATE TABLE products (
      id UUID PRIMARY KEY, display_name TEXT NOT NULL, price DECIMAL(10,2) NOT NULL,
      stock BIGINT NOT NULL, ratio DOUBLE PRECISION NOT NULL, active BOOLEAN NOT NULL,
      photo BYTEA NOT NULL, released_at TIMESTAMP(3) NOT NULL, "checkedAt" TIMESTAMPTZ(3) NOT NULL,
      "availableOn" DATE NOT NULL, attributes JSONB NOT NULL, kind "Kind" NOT NULL,
      tags TEXT[] NOT NULL, secret_code TEXT NOT NULL)`);
  await db.exec(captureSql(datamodel, capture).sql);
  const row = (values: typeof before) => [
    id,
    values.displayName,
    values.price,
    values.stock.toString(),
    Buffer.from(values.photo),
    values.releasedAt.replace('T', ' ').replace('Z', ''),
    JSON.stringify(values.attributes),
    values.kind.toLowerCase(),
    values.tags,
    values.secretCode,
  ];
  await write(
    `INSERT INTO products VALUES ($1, $2, $3, $4, 0.1, true, $5, $6, '2026-01-02T03:04:05.678Z',
       '2026-03-04', $7, $8, $9, $10)`,
    row(before),
  );
  await write(
    `UPDATE products SET display_name = $2, price = $3, stock = $4, photo = $5, released_at = $6,
       attributes = $7, kind = $8, tags = $9, secret_code = $10 WHERE id = $1`,
    row(after),
  );
});

afterAll(async () => {
  await db?.close();
});

async function entries() {
  const { rows } = await db.query<{ action: string; objectId: string; changes: unknown }>(
    `SELECT action, "objectId", changes FROM event_log ORDER BY id`,
  );
  return rows;
}

describe('the trigger of a model with @@map, @map and every column type', () => {
  it('stores the created state as createDiffSchema({}, row) sees it, null columns and masks applied', async () => {
    const [created] = await entries();
    expect(created?.action).toBe('create');
    expect(created?.objectId).toBe(id);
    const expected = createDiffSchema({}, prismaRow(before), {
      maskedKeys: ['secretCode'],
    }).new_value;
    expect(created?.changes).toEqual({ old_value: {}, new_value: expected });
  });

  it('stores the update diff exactly as createDiffSchema of the two Prisma rows', async () => {
    const [, updated] = await entries();
    expect(updated?.action).toBe('update');
    const expected = createDiffSchema(prismaRow(before), prismaRow(after), {
      maskedKeys: ['secretCode'],
    });
    expect(updated?.changes).toEqual(expected);
    // Prisma names, not columns; the enum's Prisma value; the masked field changed but hidden.
    expect(expected.new_value).toMatchObject({
      displayName: 'Desk lamp',
      price: '13',
      stock: '9007199254740995',
      kind: 'DIGITAL',
      secretCode: '[redacted]',
      releasedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(JSON.stringify(updated?.changes)).not.toMatch(/display_name|open-|secret_code/);
  });
});
