// The same code on a real PostgreSQL server, each test file on its own fresh database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCertificates, seed } from '../../example/seed.js';
import { createServer } from '../../example/server.js';
import { readMigrations } from '../../scripts/schema-engine.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { graphql } from '../support/http.js';

describe('PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('runs on a fresh database with every migration applied', async () => {
    expect(database.kind).toBe('postgresql');
    expect(database.name).toMatch(/^pel_test_[0-9a-f]+$/);
    const [{ current }] = await database.prisma.$queryRaw<{ current: string }[]>`
      SELECT current_database() AS current`;
    expect(current).toBe(database.name);
    const rows = await database.prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL
      ORDER BY migration_name`;
    const all = (await readMigrations()).migrationDirectories.map((dir) => dir.path);
    expect(rows.map((row) => row.migration_name)).toEqual(all);
  });

  it('creates and finds a row through Prisma', async () => {
    const created = await database.prisma.user.create({
      data: { fullName: 'Round Trip', email: 'round-trip@example.com' },
    });
    const found = await database.prisma.user.findUnique({
      where: { email: 'round-trip@example.com' },
    });
    expect(found).toEqual(created);
    await database.prisma.user.delete({ where: { id: created.id } });
  });

  it('rolls back an interactive transaction that throws', async () => {
    const email = 'rolled-back@example.com';
    await expect(
      database.prisma.$transaction(async (tx) => {
        await tx.user.create({ data: { fullName: 'Rolled Back', email } });
        expect(await tx.user.count({ where: { email } })).toBe(1);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await database.prisma.user.findUnique({ where: { email } })).toBeNull();
  });

  it('serves the seeded certificates through the example server', async () => {
    expect(await seed(database.prisma)).toBe(true);
    expect(await seed(database.prisma)).toBe(false);
    const yoga = createServer({ prisma: database.prisma, logging: false });
    const { status, body } = await graphql(
      yoga,
      '{ certificates { edges { node { name owner { fullName } items { name quantity } } } } }',
      undefined,
      { userId: 1 },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.certificates.edges).toHaveLength(demoCertificates.length);
    expect(body.data.certificates.edges[0].node).toEqual({
      name: demoCertificates[0]?.name,
      owner: { fullName: 'John Doe' },
      items: demoCertificates[0]?.items.map(({ name, quantity }) => ({ name, quantity })),
    });

    const next = await database.prisma.certificate.create({ data: { name: 'After the seed' } });
    expect(next.id).toBe(demoCertificates.length + 1);
  });
});
