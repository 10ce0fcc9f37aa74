import type { SchemaTypes } from '@pothos/core';
import type { EventLogCaptureDeclaration } from './capture/declaration.js';
import type { EventLogListener } from './live/listener.js';
import type { DiffSchema } from './service/diff.js';
import type { EventLogActor, EventLogCreateData } from './service/event-log-service.js';

/** One stored entry, as read from the `EventLog` model. */
export interface EventLogRecord extends Omit<EventLogCreateData, 'values' | 'changes' | 'context'> {
  id: bigint;
  timestamp: Date;
  values: unknown;
  changes: unknown;
  context: unknown;
}

/** What the filter of a read covers, as passed to `authorize`. */
export interface EventLogFilter {
  tool?: string | null;
  action?: string | null;
  actorId?: string | null;
  objectType?: string | null;
  objectId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export interface EventLogAuthorizeTarget {
  /** Set when the entries of one object are read (`t.eventLog()`, `node(id)`). */
  objectType?: string;
  objectId?: string | null;
  filter: EventLogFilter;
}

/**
 * Structural type of the Prisma client the plugin reads entries with. Any client whose
 * schema holds the `EventLog` model fits; writes go through the service's `EventLogClient`.
 */
export interface EventLogPrismaClient {
  eventLog: {
    findMany(args: object): Promise<EventLogRecord[]>;
    count(args: object): Promise<number>;
  };
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

export interface EventLogPluginOptions<Types extends SchemaTypes> {
  /**
   * The root Prisma client of a request (e.g. `(ctx) => ctx.prisma`): a generated
   * PrismaClient (or an extension of it) whose schema holds the `EventLog` model, on the
   * primary. Extended with `@prisma/extension-read-replicas`, it is read through its
   * `$primary()`: set `readClient` to read from the replicas.
   */
  client: (context: Types['Context']) => EventLogPrismaClient;
  /**
   * Where log reads go: the client of a read replica, e.g. `(ctx) => ctx.prisma.$replica()`
   * with `@prisma/extension-read-replicas`, or a PrismaClient over the replica's adapter.
   * Used by the reads of queries (`eventLogs`, `t.eventLog()`, `node`/`nodes`, the current
   * rows of `message`). A mutation's reads (its response may select the entries it just
   * wrote) and the live feed's (it reads right after the primary announced the entries)
   * go to `client`, which the plugin reads through its `$primary()` when it has one.
   * @default `client`
   * @example readClient: (ctx) => ctx.prisma.$replica()
   */
  readClient?: (context: Types['Context']) => EventLogPrismaClient;
  /** Who acts in this request: `{ id, name }`, or `null` when anonymous or a system call. */
  actor: (context: Types['Context']) => EventLogActor | null | Promise<EventLogActor | null>;
  /**
   * Whether this request may read the entries described by `target`. Required: a schema
   * without a reading policy is refused at build time, since audit logs hold sensitive data.
   */
  authorize: (
    context: Types['Context'],
    target: EventLogAuthorizeTarget,
  ) => boolean | Promise<boolean>;
  /** Name of the root query field listing entries, or `false` for none. @default 'eventLogs' */
  queryField?: string | false;
  /**
   * Name of the root subscription field of the live feed, or `false` for none.
   * @default 'eventLogAdded' (when `subscriptions` is set)
   */
  subscriptionField?: string | false;
  /** The live feed (`eventLogAdded`): how this server hears of new entries. */
  subscriptions?: EventLogSubscriptionOptions<Types>;
  /** Id of the current request, stored in each entry's `context`. */
  requestId?: (context: Types['Context']) => string | undefined;
  /**
   * Which models the database audits (`defineEventLogCapture()`): the same declaration the
   * capture migration is generated from. Required for audited mutations.
   */
  capture?: EventLogCaptureDeclaration;
  /** Largest page a client may ask for. @default 100 */
  maxPageSize?: number;
  /**
   * Most EventLog ids one `nodes(ids)` call may ask for; more is refused with BAD_USER_INPUT
   * before anything is read. @default 100
   */
  maxNodeIds?: number;
  /**
   * Most entries one request may ask for, summed over its pages (`eventLogs` and every
   * `eventLog` field, at their page size). A page past it answers null with
   * TOO_MANY_EVENT_LOGS before it is read. @default 2000
   */
  maxEntriesPerRequest?: number;
  /** Page size when neither `first` nor `last` is given. @default 20 */
  defaultPageSize?: number;
  /**
   * Largest `totalCount` counted exactly. A count reads at most this many entries plus one,
   * so a filter matching millions of rows costs no more than one matching this many: past
   * it, `totalCount` is this bound and `totalCountIsExact` is false (show it as "10000+").
   * A positive integer up to 2147483647 (GraphQL's largest Int), or `false` to count every
   * entry, however many match. @default 10000
   */
  maxExactCount?: number | false;
}

/** Options of the live feed, `eventLog.subscriptions`. */
export interface EventLogSubscriptionOptions<Types extends SchemaTypes> {
  /**
   * The server's one listening connection, e.g. `(ctx) => ctx.eventLogListener`: made once
   * per server with `pgEventLogListener()` (node-postgres) or `pgliteEventLogListener()`;
   * every subscription of the server shares it. Close it on shutdown.
   */
  listen: (context: Types['Context']) => EventLogListener;
  /**
   * Entries one subscription may hold waiting for its client. Past it the subscription drops
   * them and reads them back from the stored log at its client's pace (a slow or stalled
   * client, or one statement writing more), then goes on live: no gap, bounded memory.
   * @default 1000
   */
  bufferSize?: number;
  /**
   * Milliseconds between checks for new entries when no notification came (entries written
   * by EventLogService, a listening connection lost meanwhile). @default 1000
   */
  pollMs?: number;
}

export type PrismaModelName<Types extends SchemaTypes> = Types extends {
  PrismaTypes: infer PrismaTypes;
}
  ? keyof PrismaTypes & string
  : string;

export type RowId = string | number | bigint;

/** What `values` of an audited mutation can use: all of it is known before the write. */
export interface MutationEventInfo<Types extends SchemaTypes, Args> {
  args: Args;
  context: Types['Context'];
  actor: EventLogActor | null;
}

export interface EventLogMutationModelOptions<
  Types extends SchemaTypes,
  Model extends string,
  Args,
> {
  /**
   * The Prisma model the mutation is about. Its entries (written by the capture triggers)
   * get this option's message and action; it must be audited in the `capture` declaration.
   */
  model: Model;
  /** The tool of this call's entries. @default the model's tool in the capture declaration */
  tool?: string;
  /**
   * A custom action for the model's entries, e.g. `archive`.
   * @default 'create', 'update' or 'delete', after what the statement did
   */
  action?: string;
  /**
   * Message template, checked when the schema is built. `{object__field}` and
   * `{<model>__field}` (e.g. `{certificate__name}`) read the changed row (the deleted state for
   * a delete); `{actor__id}` and `{actor__name}` the actor; anything else comes from `values`.
   * @default '<Model> {object__<id>} was created.' (updated, deleted, accessed for the other
   * built-in actions); a custom action, which cannot be conjugated, reads
   * '<Model> {object__<id>}: <action>.', e.g. 'Certificate 7: set-status.'
   * @example 'Certificate {certificate__name} was updated by {user__fullName}.'
   */
  message?: string;
  /** Values of the template's other placeholders, computed before the resolver runs. */
  values?: (
    event: MutationEventInfo<Types, Args>,
  ) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** The `eventLog` option of a mutation field: one variant per Prisma model. */
export type EventLogMutationOptions<Types extends SchemaTypes, Args> = {
  [Model in PrismaModelName<Types>]: EventLogMutationModelOptions<Types, Model, Args>;
}[PrismaModelName<Types>];

/** Options of `t.eventLog()`. */
export interface EventLogFieldOptions<Types extends SchemaTypes, ParentShape> {
  /**
   * The Prisma model the entries are about (their `objectType`); checked when the schema is
   * built. @default the model of a prismaObject/prismaNode parent; required on other types
   */
  model?: PrismaModelName<Types>;
  /**
   * The parent's id as stored in `objectId`.
   * @default the id field of a prismaObject/prismaNode parent, else `parent.id`
   */
  id?: (parent: ParentShape) => RowId | null | undefined;
  description?: string;
}

/**
 * The arguments of `t.eventLog()`: optional on a prismaObject/prismaNode; on any other type
 * `model` is required, and `id` too unless the parent has an `id`.
 */
export type EventLogFieldArgs<Types extends SchemaTypes, ParentShape, Kind> = [Kind] extends [
  'PrismaObject',
]
  ? [options?: EventLogFieldOptions<Types, ParentShape>]
  : [
      options: EventLogFieldOptions<Types, ParentShape> & {
        model: PrismaModelName<Types>;
      } & (ParentShape extends { id: RowId | null | undefined }
          ? unknown
          : { id: (parent: ParentShape) => RowId | null | undefined }),
    ];

export type { DiffSchema };
