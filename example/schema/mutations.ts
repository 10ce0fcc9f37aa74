import type { PrismaClient } from '../generated/prisma/client.js';
import { builder } from './builder.js';
import {
  badInput,
  isRecordNotFound,
  notFound,
  parseDatabaseId,
  requireDatabaseId,
  requireUser,
} from './errors.js';
import { userValue } from './event-log-options.js';
import {
  type CertificateInput,
  CreateCertificateInput,
  type ItemInput,
  UpdateCertificateInput,
  validateCertificateInput,
} from './inputs.js';
import { CertificateRef } from './types.js';

const certificateId = (args: { id: { id: string } }) =>
  requireDatabaseId(args.id.id, 'Certificate');

builder.mutationFields((t) => ({
  createCertificate: t.prismaField({
    type: 'Certificate',
    args: { input: t.arg({ type: CreateCertificateInput, required: true }) },
    eventLog: {
      tool: 'certificate',
      model: 'Certificate',
      message: 'Certificate {certificate__name} was created by {user__fullName}.',
      values: userValue,
    },
    resolve: async (query, _root, { input }, ctx) => {
      const user = requireUser(ctx);
      validateCertificateInput(input);
      return ctx.prisma.certificate.create({
        ...query,
        data: {
          name: input.name,
          status: input.status ?? 'draft',
          notes: input.notes ?? null,
          ownerId: user.id,
          items: { create: (input.items ?? []).map(({ name, quantity }) => ({ name, quantity })) },
        },
      });
    },
  }),

  updateCertificate: t.prismaField({
    type: 'Certificate',
    args: {
      id: t.arg.globalID({ required: true, for: CertificateRef }),
      input: t.arg({ type: UpdateCertificateInput, required: true }),
    },
    eventLog: {
      tool: 'certificate',
      model: 'Certificate',
      message: 'Certificate {certificate__name} was updated by {user__fullName}.',
      values: userValue,
    },
    resolve: async (query, _root, args, ctx) => {
      requireUser(ctx);
      validateCertificateInput(args.input);
      const id = certificateId(args);
      const { items, ...fields } = args.input;
      const data = withoutNulls(fields, ['name', 'status']);
      try {
        if (!items) return await ctx.prisma.certificate.update({ ...query, where: { id }, data });
        // One transaction: an error in the items undoes the update, and its entry with it.
        await ctx.prisma.$transaction(async (tx) => {
          await tx.certificate.update({ where: { id }, data, select: { id: true } });
          await replaceItems(tx as PrismaClient, id, items);
        });
      } catch (error) {
        if (isRecordNotFound(error)) throw notFound(`No certificate with id ${args.id.id}.`);
        throw error;
      }
      return ctx.prisma.certificate.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),

  deleteCertificate: t.prismaField({
    type: 'Certificate',
    description: 'Deletes a certificate and its items; returns it as it was.',
    args: { id: t.arg.globalID({ required: true, for: CertificateRef }) },
    eventLog: {
      tool: 'certificate',
      model: 'Certificate',
      message: 'Certificate {certificate__name} was deleted by {user__fullName}.',
      values: userValue,
    },
    resolve: async (query, _root, args, ctx) => {
      requireUser(ctx);
      const where = { id: certificateId(args) };
      // Read first, with the client's selection: once deleted, the items cannot be loaded.
      const certificate = await ctx.prisma.certificate.findUnique({ ...query, where });
      if (!certificate) throw notFound(`No certificate with id ${args.id.id}.`);
      await ctx.prisma.certificate.delete({ where });
      return certificate;
    },
  }),

  archiveCertificates: t.prismaField({
    type: ['Certificate'],
    description: 'Sets the status of many certificates to "archived": one entry per certificate.',
    args: { ids: t.arg.globalIDList({ required: true, for: CertificateRef }) },
    eventLog: {
      tool: 'certificate',
      model: 'Certificate',
      action: 'archive',
      message: 'Certificate {certificate__name} was archived by {user__fullName}.',
      values: userValue,
    },
    resolve: async (query, _root, args, ctx) => {
      requireUser(ctx);
      const ids = [...new Set(args.ids.map((id) => requireDatabaseId(id.id, 'Certificate')))];
      if (ids.length > 100) throw badInput(`ids holds ${ids.length} ids; at most 100 are allowed.`);
      const found = await ctx.prisma.certificate.count({ where: { id: { in: ids } } });
      if (found !== ids.length) throw notFound('Some of the ids name no certificate.');
      // One statement: the trigger writes one entry per certificate.
      await ctx.prisma.certificate.updateMany({
        where: { id: { in: ids } },
        data: { status: 'archived' },
      });
      return ctx.prisma.certificate.findMany({
        ...query,
        where: { id: { in: ids } },
        orderBy: { id: 'asc' },
      });
    },
  }),
}));

/**
 * `items` replaces the list: kept items (with an id) are updated, new ones created, the
 * rest deleted. An id that is not an item of this certificate is an error.
 */
async function replaceItems(prisma: PrismaClient, certificateId: number, items: ItemInput[]) {
  const existing = await prisma.certificateItem.findMany({
    where: { certificateId },
    select: { id: true },
  });
  const existingIds = new Set(existing.map((item) => item.id));
  const keptIds = new Set<number>();
  for (const [index, item] of items.entries()) {
    if (!item.id) continue;
    const id = parseDatabaseId(item.id.id);
    if (id === undefined || !existingIds.has(id)) {
      throw badInput(`input.items[${index}].id is not an item of this certificate.`);
    }
    if (keptIds.has(id)) throw badInput(`input.items[${index}].id appears twice.`);
    keptIds.add(id);
  }
  const removed = [...existingIds].filter((id) => !keptIds.has(id));
  if (removed.length) await prisma.certificateItem.deleteMany({ where: { id: { in: removed } } });
  for (const item of items) {
    if (item.id) {
      await prisma.certificateItem.update({
        where: { id: Number(item.id.id) },
        data: { name: item.name, quantity: item.quantity },
      });
    } else {
      await prisma.certificateItem.create({
        data: { certificateId, name: item.name, quantity: item.quantity },
      });
    }
  }
}

/** `null` for a required column means "leave as it is"; for `notes` it clears it. */
function withoutNulls(fields: CertificateInput, required: (keyof CertificateInput)[]) {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value === null && required.includes(key as keyof CertificateInput)) continue;
    data[key] = value;
  }
  return data;
}
