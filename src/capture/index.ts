export { EventLogSetupError } from '../errors.js';
export {
  type CaptureDatamodel,
  type CaptureDatamodelModel,
  captureSql,
  type ModelCaptureSql,
} from './capture-sql.js';
export { checkEventLogCapture } from './check.js';
export {
  type ContextTemplatePart,
  currentEventLogContext,
  type EventLogContext,
  eventLogComments,
  withEventLogContext,
} from './context.js';
export {
  defineEventLogCapture,
  type EventLogCaptureDeclaration,
  type EventLogCaptureModel,
} from './declaration.js';
