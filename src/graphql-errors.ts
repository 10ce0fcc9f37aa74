import { GraphQLError } from 'graphql';

export type EventLogErrorCode = 'BAD_USER_INPUT' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'NOT_FOUND';

/** A request-time error for clients: plain message, stable `extensions.code`. */
export function clientError(message: string, code: EventLogErrorCode): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

export function badInput(message: string): GraphQLError {
  return clientError(message, 'BAD_USER_INPUT');
}

export function forbidden(): GraphQLError {
  return clientError('You are not allowed to read these event logs.', 'FORBIDDEN');
}
