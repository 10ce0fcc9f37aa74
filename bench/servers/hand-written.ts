// W1 (c): what a careful user writes without the plugin: one transaction that locks the
// row (as the plugin does, so that concurrent updates log an unbroken chain of diffs),
// reads it with its items, updates it, reads it again, and logs the diff.
import { responsePathAsArray } from 'graphql';
import { createDiffSchema, EventLogService, objectRef } from '../../src/index.js';
import { createBuilder, requireUser } from './builder.js';

const service = new EventLogService();
const withItems = { items: { orderBy: { id: 'asc' as const } } };

export function createHandWrittenSchema() {
  const builder = createBuilder(false);
  builder.mutationField('updateCertificate', (t) =>
    t.prismaField({
      type: 'Certificate',
      args: {
        id: t.arg.int({ required: true }),
        name: t.arg.string({ required: true }),
        notes: t.arg.string({ required: true }),
      },
      resolve: (query, _root, args, ctx, info) => {
        const user = requireUser(ctx);
        const where = { id: args.id };
        return ctx.prisma.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM "Certificate" WHERE id = ${args.id} FOR UPDATE`;
          const before = await tx.certificate.findUniqueOrThrow({ where, include: withItems });
          const updated = await tx.certificate.update({
            ...query,
            where,
            data: { name: args.name, notes: args.notes },
          });
          const after = await tx.certificate.findUniqueOrThrow({ where, include: withItems });
          await service.log(
            {
              templateMessage: 'Certificate {certificate__name} was updated by {user__fullName}.',
              values: {
                certificate: objectRef('Certificate', after),
                user: objectRef('User', user),
              },
              object: objectRef('Certificate', after),
              actor: { id: user.id, name: user.fullName },
              tool: 'certificate',
              action: 'update',
              changes: createDiffSchema(before, after, { excludeKeys: ['certificateId'] }),
              context: {
                requestId: ctx.requestId,
                operationName: info.operation.name?.value ?? null,
                path: responsePathAsArray(info.path).join('.'),
              },
            },
            { client: tx },
          );
          return updated;
        });
      },
    }),
  );
  return builder.toSchema();
}
