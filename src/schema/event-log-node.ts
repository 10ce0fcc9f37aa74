import type { SchemaTypes } from '@pothos/core';
import { badInput, forbidden } from '../graphql-errors.js';
import type { ResolvedOptions } from '../options.js';
import { MAX_BIGINT } from '../read/pagination.js';
import { readClient } from '../read/read-client.js';
import type { EventLogRecord } from '../types.js';

type NodeIdParts = Pick<EventLogRecord, 'id' | 'timestamp' | 'objectType' | 'objectId'>;

/**
 * The raw id inside an entry's global ID: `[id, objectType, objectId, timestamp]` as JSON,
 * the timestamp in epoch milliseconds. It names the entry's object, so that `node(id)` and
 * `nodes(ids)` can ask `authorize` before anything is read; the read then matches id and
 * object together, so a forged object finds nothing. The timestamp is the partition key:
 * the read opens the entry's month partition alone.
 */
export function eventLogNodeId(entry: NodeIdParts) {
  return JSON.stringify([
    entry.id.toString(),
    entry.objectType,
    entry.objectId ?? null,
    entry.timestamp.getTime(),
  ]);
}

interface ParsedNodeId {
  id: bigint;
  objectType: string;
  objectId: string | null;
  /** Absent in the ids given out before event_log was partitioned: all partitions are read. */
  timestamp?: Date;
}

const MAX_RAW_ID_LENGTH = 512;

/** Largest epoch milliseconds a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;

function parseNodeId(raw: string): ParsedNodeId | undefined {
  if (raw.length > MAX_RAW_ID_LENGTH) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || (parsed.length !== 3 && parsed.length !== 4)) return undefined;
  const [id, objectType, objectId, timestamp] = parsed as unknown[];
  if (typeof id !== 'string' || !/^\d{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT) return undefined;
  if (typeof objectType !== 'string' || (objectId !== null && typeof objectId !== 'string')) {
    return undefined;
  }
  const target: ParsedNodeId = { id: BigInt(id), objectType, objectId };
  if (parsed.length === 4) {
    if (!Number.isSafeInteger(timestamp) || Math.abs(timestamp as number) > MAX_DATE_MS) {
      return undefined;
    }
    target.timestamp = new Date(timestamp as number);
  }
  return target;
}

/** What an id and a row are matched on (the timestamp only narrows the read). */
function entryKey(entry: Omit<ParsedNodeId, 'timestamp'>) {
  return JSON.stringify([entry.id.toString(), entry.objectType, entry.objectId ?? null]);
}

/**
 * Loads the entries of one `node`/`nodes` call: at most `maxNodeIds` of them, each object
 * authorized once before any SQL, then one query for the allowed ones, matched to the ids
 * through a map. A denied id answers FORBIDDEN and an unknown one null, in its own slot.
 */
export function eventLogNodeLoader(options: ResolvedOptions) {
  return async (ids: string[], context: SchemaTypes['Context']) => {
    if (ids.length > options.maxNodeIds) {
      throw badInput(
        `nodes asks for ${ids.length} EventLog ids; at most ${options.maxNodeIds} are read per request (eventLog.maxNodeIds).`,
      );
    }
    const parsed = ids.map(parseNodeId);
    const objects = new Map<string, { objectType: string; objectId: string | null }>();
    for (const target of parsed) {
      if (target) objects.set(objectKey(target), target);
    }
    const allowed = new Map<string, boolean>();
    await Promise.all(
      [...objects].map(async ([key, object]) => {
        const decision = await options.authorize(context, {
          ...object,
          filter: { objectType: object.objectType, objectId: object.objectId },
        });
        allowed.set(key, decision === true);
      }),
    );
    const readable = parsed.filter(
      (target): target is ParsedNodeId => !!target && allowed.get(objectKey(target)) === true,
    );
    const client = readClient(options, context);
    const rows = readable.length
      ? await client.eventLog.findMany({
          where: {
            OR: readable.map(({ id, objectType, objectId, timestamp }) =>
              timestamp ? { id, timestamp, objectType, objectId } : { id, objectType, objectId },
            ),
          },
        })
      : [];
    const byId = new Map(rows.map((row) => [entryKey(row), row]));
    return ids.map((_raw, index) => {
      const target = parsed[index];
      if (!target) return null;
      // graphql-js answers an Error in a list slot as that item's error.
      if (allowed.get(objectKey(target)) !== true) return forbidden() as unknown as null;
      const row = byId.get(entryKey(target));
      // The id names one entry at one time: another id's read must not lend it a row.
      if (row && target.timestamp && row.timestamp.getTime() !== target.timestamp.getTime()) {
        return null;
      }
      return row ?? null;
    });
  };
}

function objectKey(target: { objectType: string; objectId: string | null }) {
  return JSON.stringify([target.objectType, target.objectId]);
}
