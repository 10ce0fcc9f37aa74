// Demo data for the example server. Fixed ids make the data the same on every machine
// (README examples and tests can name user 1), and let a second run see it is done.
import { withEventLogContext } from '../src/capture/index.js';
import type { PrismaClient } from './generated/prisma/client.js';

export const demoUsers = [
  { id: 1, fullName: 'John Doe', email: 'john@example.com' },
  { id: 2, fullName: 'Jane Roe', email: 'jane@example.com' },
  { id: 3, fullName: 'Alex Poe', email: 'alex@example.com' },
];

export const demoCertificates = [
  {
    id: 1,
    name: 'Annual fire safety inspection',
    status: 'active',
    ownerId: 1,
    items: [
      { id: 1, name: 'Fire extinguisher', quantity: 4 },
      { id: 2, name: 'Emergency light', quantity: 12 },
    ],
  },
  {
    id: 2,
    name: 'Electrical installation check',
    status: 'draft',
    ownerId: 2,
    items: [
      { id: 3, name: 'Circuit breaker', quantity: 6 },
      { id: 4, name: 'Residual current device', quantity: 2 },
      { id: 5, name: 'Socket outlet', quantity: 24 },
    ],
  },
  {
    id: 3,
    name: 'Gas appliance certificate',
    status: 'draft',
    ownerId: 1,
    items: [{ id: 6, name: 'Boiler', quantity: 1 }],
  },
  {
    id: 4,
    name: 'Lift maintenance record',
    status: 'active',
    ownerId: 3,
    items: [
      { id: 7, name: 'Passenger lift', quantity: 2 },
      { id: 8, name: 'Goods lift', quantity: 1 },
    ],
  },
];

/**
 * Inserts the demo users and certificates unless user 1 already exists. Returns whether
 * it inserted anything. One transaction: a failure leaves no half-seeded database.
 */
export async function seed(prisma: PrismaClient): Promise<boolean> {
  // The capture triggers log the demo data as created by the `seed` tool.
  return withEventLogContext({ actor: null, tool: 'seed' }, () => insertDemoData(prisma));
}

function insertDemoData(prisma: PrismaClient): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    // Two servers starting on one empty database: the second waits, then sees user 1.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7424610)`;
    if (await tx.user.findUnique({ where: { id: 1 }, select: { id: true } })) return false;
    await tx.user.createMany({ data: demoUsers });
    for (const { items, ...certificate } of demoCertificates) {
      await tx.certificate.create({ data: { ...certificate, items: { create: items } } });
    }
    // Explicit ids leave the sequences behind: move them past the seeded rows.
    await tx.$executeRaw`SELECT setval(pg_get_serial_sequence('"User"', 'id'), (SELECT max(id) FROM "User"))`;
    await tx.$executeRaw`SELECT setval(pg_get_serial_sequence('"Certificate"', 'id'), (SELECT max(id) FROM "Certificate"))`;
    await tx.$executeRaw`SELECT setval(pg_get_serial_sequence('"CertificateItem"', 'id'), (SELECT max(id) FROM "CertificateItem"))`;
    return true;
  });
}
