import { builder } from './builder.js';

export const UserRef = builder.prismaNode('User', {
  id: { field: 'id' },
  fields: (t) => ({
    fullName: t.exposeString('fullName'),
    email: t.exposeString('email'),
    eventLog: t.eventLog(),
  }),
});

export const CertificateItemRef = builder.prismaNode('CertificateItem', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    quantity: t.exposeInt('quantity'),
  }),
});

export const CertificateRef = builder.prismaNode('Certificate', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    status: t.exposeString('status', { description: 'A plain string: "draft", "active", ...' }),
    notes: t.exposeString('notes', { nullable: true }),
    owner: t.relation('owner', { nullable: true }),
    items: t.relation('items', { query: { orderBy: { id: 'asc' } } }),
    eventLog: t.eventLog(),
  }),
});
