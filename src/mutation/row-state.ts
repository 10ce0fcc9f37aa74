import type { ModelMetadata } from '../read/model-metadata.js';
import { parseStoredId } from '../read/model-metadata.js';
import type { RowId } from '../types.js';

type Row = Record<string, unknown>;
type TransactionClient = Record<string, unknown> & {
  $queryRawUnsafe(query: string, ...values: unknown[]): Promise<unknown>;
};

export function normalizeIds(value: RowId | readonly RowId[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value as RowId];
  return [...new Set(list.map((id) => String(id)))];
}

function typedIds(meta: ModelMetadata, ids: string[]) {
  return ids
    .map((id) => parseStoredId(id, meta.idType))
    .filter((id): id is string | number | bigint => id !== undefined);
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Locks the rows (`SELECT … FOR UPDATE`, in id order so that two bulk writers cannot
 * deadlock) until the transaction ends: concurrent writers of a row then run one after
 * the other, and each reads the state the previous one committed.
 */
export async function lockRows(tx: TransactionClient, meta: ModelMetadata, ids: string[]) {
  const values = typedIds(meta, ids);
  if (values.length === 0) return;
  const placeholders = values.map((_, index) => `$${index + 1}`).join(', ');
  const id = quote(meta.idField);
  await tx.$queryRawUnsafe(
    `SELECT 1 FROM ${quote(meta.table)} WHERE ${id} IN (${placeholders}) ORDER BY ${id} FOR UPDATE`,
    ...values,
  );
}

/** The rows' state, with the relations that belong to it, keyed by id as a string. */
export async function readRows(
  tx: TransactionClient,
  meta: ModelMetadata,
  ids: string[],
  include: object | undefined,
): Promise<Map<string, Row>> {
  const values = typedIds(meta, ids);
  const rows = new Map<string, Row>();
  if (values.length === 0) return rows;
  const delegate = tx[meta.delegate] as { findMany(args: object): Promise<Row[]> };
  const found = await delegate.findMany({
    where: { [meta.idField]: { in: values } },
    ...(include ? { include } : {}),
  });
  for (const row of found) rows.set(String(row[meta.idField]), row);
  return rows;
}
