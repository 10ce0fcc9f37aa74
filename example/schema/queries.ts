import { builder } from './builder.js';
import { parseDatabaseId } from './errors.js';
import { CertificateRef } from './types.js';

builder.queryFields((t) => ({
  certificate: t.prismaField({
    type: 'Certificate',
    nullable: true,
    args: { id: t.arg.globalID({ required: true, for: CertificateRef }) },
    resolve: (query, _root, args, ctx) => {
      const id = parseDatabaseId(args.id.id);
      if (id === undefined) return null;
      return ctx.prisma.certificate.findUnique({ ...query, where: { id } });
    },
  }),
  certificates: t.prismaConnection({
    type: 'Certificate',
    cursor: 'id',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.certificate.findMany({ ...query, orderBy: { id: 'asc' } }),
  }),
  users: t.prismaField({
    type: ['User'],
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.user.findMany({ ...query, orderBy: { id: 'asc' } }),
  }),
}));
