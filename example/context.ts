import type { EventLogListener } from '../src/live/listener.js';
import type { PrismaClient } from './generated/prisma/client.js';

export interface CurrentUser {
  id: number;
  fullName: string;
}

/** The GraphQL context of the example server, built per request in server.ts. */
export interface Context {
  prisma: PrismaClient;
  /** Where log reads go (`eventLog.readClient`): a read replica's client; absent, `prisma`. */
  replica?: PrismaClient;
  /** Demo authentication: the user whose database id is in the `x-user-id` header. */
  currentUser: CurrentUser | null;
  requestId: string;
  /** The server's listener for the live feed (`eventLogAdded`); absent: no live feed. */
  eventLogListener?: EventLogListener;
}
