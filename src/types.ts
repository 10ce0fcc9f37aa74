import type { SchemaTypes } from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
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
}

export interface EventLogPluginOptions<Types extends SchemaTypes> {
  /** The root Prisma client of a request (e.g. `(ctx) => ctx.prisma`). */
  client: (context: Types['Context']) => unknown;
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
  /** Id of the current request, stored in each entry's `context`. */
  requestId?: (context: Types['Context']) => string | undefined;
  /** Keys masked in stored diffs, values and contexts, added to the defaults. @default [] */
  maskedKeys?: string[];
  /** Largest serialized `changes` accepted, in bytes. @default 262144 */
  maxChangesBytes?: number;
  /** Largest page a client may ask for. @default 100 */
  maxPageSize?: number;
  /** Page size when neither `first` nor `last` is given. @default 20 */
  defaultPageSize?: number;
  /** Options of the interactive transaction that wraps audited mutations. */
  transaction?: { maxWait?: number; timeout?: number };
}

export type PrismaModelName<Types extends SchemaTypes> = Types extends {
  PrismaTypes: infer PrismaTypes;
}
  ? keyof PrismaTypes & string
  : string;

type ModelInclude<Types extends SchemaTypes, Model extends string> = Types extends {
  PrismaTypes: infer PrismaTypes;
}
  ? Model extends keyof PrismaTypes
    ? PrismaTypes[Model] extends { Include: infer Include }
      ? Include
      : never
    : never
  : Record<string, unknown>;

type ModelShape<Types extends SchemaTypes, Model extends string> = Types extends {
  PrismaTypes: infer PrismaTypes;
}
  ? Model extends keyof PrismaTypes
    ? PrismaTypes[Model] extends { Shape: infer Shape }
      ? Shape
      : Record<string, unknown>
    : Record<string, unknown>
  : Record<string, unknown>;

export type RowId = string | number | bigint;

/** What `message` templates and `values` of an audited mutation can use. */
export interface MutationEventInfo<Types extends SchemaTypes, Model extends string, Args> {
  args: Args;
  context: Types['Context'];
  info: GraphQLResolveInfo;
  actor: EventLogActor | null;
  /** The row as read (with `include`) before the resolver ran; null on create. */
  before: (ModelShape<Types, Model> & Record<string, unknown>) | null;
  /** The row as read after the resolver ran; null on delete. */
  after: (ModelShape<Types, Model> & Record<string, unknown>) | null;
}

export interface EventLogMutationModelOptions<
  Types extends SchemaTypes,
  Model extends string,
  Args,
  Result,
> {
  /** Which tool (feature area) the entry belongs to, e.g. `"certificate"`. */
  tool: string;
  /** The Prisma model whose rows the mutation changes. */
  model: Model;
  /**
   * `'create'`, `'update'`, `'delete'`, `'access'` or a custom action.
   * @default 'update' when `id` is given, else 'create'
   */
  action?: string;
  /**
   * The id (or ids, for a bulk mutation) of the changed rows, read from the arguments.
   * Omit it for a create: the id is then read from the resolver's result (`resultId`).
   */
  id?: (args: Args, context: Types['Context']) => RowId | readonly RowId[] | null | undefined;
  /** The created row's id, read from the result. @default (result) => result.id */
  resultId?: (result: Result) => RowId | readonly RowId[] | null | undefined;
  /** Relations that belong to the row's state and its diff, e.g. `{ items: true }`. */
  include?: ModelInclude<Types, Model>;
  /**
   * Message template. @default '<Model> {object__<id>} was <action>.'
   * @example 'Certificate {certificate__name} was updated by {user__fullName}.'
   */
  message?: string;
  /**
   * Values of the template's placeholders. The defaults are always there: `object` and the
   * model name in camelCase (e.g. `certificate`) refer to the row, `actor` to the actor.
   */
  values?: (
    event: MutationEventInfo<Types, Model, Args>,
  ) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Keys left out of the diff, added to the default exclusions (`id`, `updatedAt`, ...). */
  exclude?: string[];
  /** Keys masked in this entry, added to the plugin's. */
  mask?: string[];
  /** Write no entry when the diff is empty. @default false */
  skipUnchanged?: boolean;
}

/** The `eventLog` option of a mutation field: one variant per Prisma model. */
export type EventLogMutationOptions<Types extends SchemaTypes, Args, Result> = {
  [Model in PrismaModelName<Types>]: EventLogMutationModelOptions<Types, Model, Args, Result>;
}[PrismaModelName<Types>];

/** Options of `t.eventLog()`. */
export interface EventLogFieldOptions<ParentShape> {
  /** The Prisma model of the parent. @default the model of a prismaObject/prismaNode parent */
  model?: string;
  /** The parent's id as stored in `objectId`. @default (parent) => parent.id */
  id?: (parent: ParentShape) => RowId | null | undefined;
  description?: string;
}

export type { DiffSchema };
