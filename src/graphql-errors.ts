import { GraphQLError } from 'graphql';
import type { EventLogError } from './errors.js';

/** A request-time error for clients: plain message, stable `extensions.code`. */
function clientError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

export function badInput(message: string): GraphQLError {
  return clientError(message, 'BAD_USER_INPUT');
}

/** An audited change whose entry the service refused: nothing was saved. */
export function entryRefused(error: EventLogError): GraphQLError {
  return clientError(
    `The change was not saved: its event log entry was refused. ${error.message}`,
    error.code,
  );
}

export function forbidden(): GraphQLError {
  return clientError('You are not allowed to read these event logs.', 'FORBIDDEN');
}
