// W2: EventLogService alone, no GraphQL: entries per second written one at a time
// (sequential awaits, one autocommit INSERT each) and in batches of 100 (`logMany`).
// The same rows inserted with plain `pg` are the reference.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { PrismaClient } from '../example/generated/prisma/client.js';
import {
  createDiffSchema,
  type EventLogCreateData,
  EventLogService,
  type LogEntry,
  objectRef,
} from '../src/index.js';
import { median } from './support/stats.js';

export const w2Variants = ['log()', 'logMany(100)', 'pg INSERT', 'pg INSERT ×100'] as const;
export type W2Variant = (typeof w2Variants)[number];

export interface W2Options {
  rounds: number;
  roundMs: number;
}

export interface W2Report {
  perSecond: Record<W2Variant, number>;
  rounds: { variant: W2Variant; perSecond: number }[];
}

const BATCH = 100;

/** An entry like the plugin writes for an updated certificate with three items. */
export function sampleEntry(index: number): LogEntry {
  const items = [
    { id: 1, certificateId: 7, name: 'Fire extinguisher', quantity: 4 },
    { id: 2, certificateId: 7, name: 'Emergency light', quantity: 12 },
    { id: 3, certificateId: 7, name: 'Smoke detector', quantity: 8 },
  ];
  const before = {
    id: 7,
    name: 'Annual fire safety inspection',
    status: 'active',
    notes: 'Checked in March',
    ownerId: 1,
    createdAt: new Date('2025-01-01T00:00:00Z'),
    updatedAt: new Date('2025-03-01T00:00:00Z'),
    items,
  };
  const after = {
    ...before,
    name: `Annual fire safety inspection #${index}`,
    notes: `Checked ${index} times`,
    updatedAt: new Date(),
    items: items.map((item) => (item.id === 2 ? { ...item, quantity: 11 } : item)),
  };
  const ref = objectRef('Certificate', after);
  return {
    templateMessage: 'Certificate {certificate__name} was updated by {user__fullName}.',
    values: {
      object: ref,
      certificate: ref,
      user: objectRef('User', { id: 1, fullName: 'John Doe' }),
    },
    object: ref,
    actor: { id: 1, name: 'John Doe' },
    tool: 'certificate',
    action: 'update',
    changes: createDiffSchema(before, after, { excludeKeys: ['certificateId'] }),
    context: { requestId: `bench-${index}`, operationName: 'Update', path: 'updateCertificate' },
  };
}

const COLUMNS = [
  'actorId',
  'actorName',
  'tool',
  'action',
  'objectType',
  'objectId',
  'template',
  'message',
  'values',
  'changes',
  'context',
] as const;

function rowValues(data: EventLogCreateData): unknown[] {
  return COLUMNS.map((column) => {
    const value = data[column];
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : (value ?? null);
  });
}

function insertSql(rows: number): string {
  const tuples = Array.from(
    { length: rows },
    (_, row) =>
      `(${COLUMNS.map((_, column) => `$${row * COLUMNS.length + column + 1}`).join(', ')})`,
  );
  return `INSERT INTO event_log (${COLUMNS.map((column) => `"${column}"`).join(', ')}) VALUES ${tuples.join(', ')}`;
}

export async function runW2(
  prisma: PrismaClient,
  sql: pg.Client,
  options: W2Options,
  progress: (line: string) => void,
): Promise<W2Report> {
  const service = new EventLogService();
  let index = 0;
  const single = insertSql(1);
  const batch = insertSql(BATCH);
  const write: Record<W2Variant, () => Promise<number>> = {
    'log()': async () => {
      await service.log(sampleEntry(index++), { client: prisma });
      return 1;
    },
    'logMany(100)': () =>
      service.logMany(
        Array.from({ length: BATCH }, () => sampleEntry(index++)),
        { client: prisma },
      ),
    'pg INSERT': async () => {
      await sql.query(single, rowValues(service.prepare(sampleEntry(index++))));
      return 1;
    },
    'pg INSERT ×100': async () => {
      const values = Array.from({ length: BATCH }, () =>
        rowValues(service.prepare(sampleEntry(index++))),
      ).flat();
      await sql.query(batch, values);
      return BATCH;
    },
  };
  const rounds: W2Report['rounds'] = [];
  for (const variant of w2Variants) {
    const end = performance.now() + Math.min(500, options.roundMs);
    while (performance.now() < end) await write[variant]();
  }
  for (let round = 0; round < options.rounds; round += 1) {
    const order = w2Variants.map(
      (_, i) => w2Variants[(i + round) % w2Variants.length] as W2Variant,
    );
    for (const variant of order) {
      let written = 0;
      const started = performance.now();
      const end = started + options.roundMs;
      while (performance.now() < end) written += await write[variant]();
      rounds.push({ variant, perSecond: (written / (performance.now() - started)) * 1000 });
    }
    progress(`W2 round ${round + 1}/${options.rounds}`);
  }
  const perSecond = Object.fromEntries(
    w2Variants.map((variant) => [
      variant,
      median(rounds.filter((r) => r.variant === variant).map((r) => r.perSecond)),
    ]),
  ) as Record<W2Variant, number>;
  return { perSecond, rounds };
}
