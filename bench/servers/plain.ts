// W1 (a) and (d): no logging in the application. The trigger variant runs this same
// server; its audit row is written by PostgreSQL (see bench/support/fixtures.ts).
import { type BenchBuilder, createBuilder, requireUser } from './builder.js';

export function addPlainUpdate(builder: BenchBuilder) {
  builder.mutationField('updateCertificate', (t) =>
    t.prismaField({
      type: 'Certificate',
      args: {
        id: t.arg.int({ required: true }),
        name: t.arg.string({ required: true }),
        notes: t.arg.string({ required: true }),
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
}

export function createPlainSchema() {
  const builder = createBuilder(false);
  addPlainUpdate(builder);
  return builder.toSchema();
}
