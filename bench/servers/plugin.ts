// W1 (b): the plugin, configured as example/schema/mutations.ts configures updateCertificate.
import { objectRef } from '../../src/index.js';
import { type BenchContext, createBuilder, requireUser } from './builder.js';

const userValue = ({ context }: { context: BenchContext }) => ({
  user: context.currentUser ? objectRef('User', context.currentUser) : { fullName: 'system' },
});

export function createPluginSchema() {
  const builder = createBuilder(true);
  builder.mutationField('updateCertificate', (t) =>
    t.prismaField({
      type: 'Certificate',
      args: {
        id: t.arg.int({ required: true }),
        name: t.arg.string({ required: true }),
        notes: t.arg.string({ required: true }),
      },
      eventLog: {
        tool: 'certificate',
        model: 'Certificate',
        action: 'update',
        id: (args) => args.id,
        include: { items: { orderBy: { id: 'asc' } } },
        exclude: ['certificateId'],
        message: 'Certificate {certificate__name} was updated by {user__fullName}.',
        values: userValue,
      },
      resolve: (query, _root, args, ctx) => {
        requireUser(ctx);
        return ctx.prisma.certificate.update({
          ...query,
          where: { id: args.id },
          data: { name: args.name, notes: args.notes },
        });
      },
    }),
  );
  return builder.toSchema();
}
