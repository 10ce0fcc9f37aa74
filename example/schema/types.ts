import { builder } from './builder.js';
import { parseDatabaseId } from './errors.js';

/**
 * How node(id) and nodes(ids) load these types. Relay expects `null` for an id without a row,
 * but plugin-prisma loads a node with findUniqueOrThrow (an INTERNAL_SERVER_ERROR and a logged
 * stack for a missing row, and `nodes` loses its whole list) and parses the id with parseInt
 * ("abc" is no id at all, so Prisma refuses the query; "1.5" reads row 1). So: `nullable`
 * (findUnique, null for a missing row), and the id parsed by parseDatabaseId; an id no row
 * can have (-1, abc, 1.5, beyond a PostgreSQL integer) looks up id 0, which no row has
 * (autoincrement ids start at 1): one cheap miss, answered null like any missing row.
 */
const nodeLoading = {
  nullable: true,
  findUnique: (id: string) => ({ id: parseDatabaseId(id) ?? 0 }),
} as const;

export const UserRef = builder.prismaNode('User', {
  id: { field: 'id' },
  ...nodeLoading,
  fields: (t) => ({
    fullName: t.exposeString('fullName'),
    email: t.exposeString('email'),
    eventLog: t.eventLog(),
  }),
});

export const CertificateItemRef = builder.prismaNode('CertificateItem', {
  id: { field: 'id' },
  ...nodeLoading,
  fields: (t) => ({
    name: t.exposeString('name'),
    quantity: t.exposeInt('quantity'),
  }),
});

export const CertificateRef = builder.prismaNode('Certificate', {
  id: { field: 'id' },
  ...nodeLoading,
  fields: (t) => ({
    name: t.exposeString('name'),
    status: t.exposeString('status', { description: 'A plain string: "draft", "active", ...' }),
    notes: t.exposeString('notes', { nullable: true }),
    owner: t.relation('owner', { nullable: true }),
    items: t.relation('items', { query: { orderBy: { id: 'asc' } } }),
    eventLog: t.eventLog(),
  }),
});
