import './global-types.js';
import './field-builder.js';
import { pluginName } from './plugin.js';

export default pluginName;
export * from './capture/index.js';
export type { RawQueryClient } from './capture/installed.js';
export {
  createEventLogListener,
  EVENT_LOG_CHANNEL,
  EventLogListener,
  type EventLogListenerConnect,
  type PGliteListenable,
  type PgListenerConfig,
  pgEventLogListener,
  pgliteEventLogListener,
} from './live/listener.js';
export type { EventLogAddedPayload } from './live/subscription.js';
export { type EnsurePartitionsOptions, ensureEventLogPartitions } from './partitions/ensure.js';
export {
  PRUNE_BEFORE_FORMS,
  type PruneAction,
  type PrunedPartition,
  type PruneExportFormat,
  type PruneOptions,
  type PruneProgress,
  type PruneReport,
  parsePruneBefore,
  pruneEventLog,
} from './partitions/prune.js';
export { PothosEventLogPlugin } from './plugin.js';
export type { FieldChange } from './read/field-changes.js';
export { fieldChanges } from './read/field-changes.js';
export type { EventLogConnectionResult } from './read/find-event-logs.js';
export * from './service/index.js';
export type {
  EventLogAuthorizeTarget,
  EventLogFieldArgs,
  EventLogFieldOptions,
  EventLogFilter,
  EventLogMutationModelOptions,
  EventLogMutationOptions,
  EventLogPluginOptions,
  EventLogPrismaClient,
  EventLogRecord,
  EventLogSubscriptionOptions,
  MutationEventInfo,
  RowId,
} from './types.js';
