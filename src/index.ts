import './global-types.js';
import './field-builder.js';
import { pluginName } from './plugin.js';

export default pluginName;
export * from './capture/index.js';
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
  MutationEventInfo,
  RowId,
} from './types.js';
