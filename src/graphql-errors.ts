import { GraphQLError } from 'graphql';
import type { EventLogError } from './errors.js';

export type EventLogErrorCode = 'BAD_USER_INPUT' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'NOT_FOUND';

/** A request-time error for clients: plain message, stable `extensions.code`. */
export function clientError(message: string, code: EventLogErrorCode): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

export function badInput(message: string): GraphQLError {
  return clientError(message, 'BAD_USER_INPUT');
}

/** An audited change whose entry the service refused: nothing was saved. */
export function entryRefused(error: EventLogError): GraphQLError {
  return new GraphQLError(
    `The change was not saved: its event log entry was refused. ${error.message}`,
    {
      extensions: { code: error.code },
    },
  );
}

export function forbidden(): GraphQLError {
  return clientError('You are not allowed to read these event logs.', 'FORBIDDEN');
}
