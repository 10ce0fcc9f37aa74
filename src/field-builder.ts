import { PothosSchemaError, RootFieldBuilder, type SchemaTypes } from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import { EventLogSetupError } from './errors.js';
import { eventLogOptions } from './options.js';
import { type DataModel, singleIdField } from './read/model-metadata.js';
import { readEventLogs } from './read/read-event-logs.js';
import { eventLogRefs } from './schema/event-log-type.js';
import { didYouMean } from './suggest.js';
import type { EventLogFieldOptions, RowId } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: Pothos' generics cannot be carried through a plugin
type Any = any;

const fieldBuilderProto = RootFieldBuilder.prototype as PothosSchemaTypes.RootFieldBuilder<
  SchemaTypes,
  unknown
>;

interface FieldTarget {
  objectType: string;
  /** The parent's own id field: `parent[idField]` unless the options give `id`. */
  idField: string;
}

/**
 * Which object's entries the field reads, settled when the schema is built: a string is
 * the schema author's mistake, thrown (naming the field) once the field's name is known.
 */
function fieldTarget(
  datamodel: DataModel | undefined,
  fieldOptions: EventLogFieldOptions<SchemaTypes, unknown>,
  prismaModel: string | undefined,
): FieldTarget | string {
  const model = fieldOptions.model ?? prismaModel;
  if (model === undefined) {
    return "its type is not a prismaObject or prismaNode, so the model of its entries is unknown: pass { model, id } (the Prisma model and the parent's id as stored).";
  }
  if (!datamodel) {
    return "it needs plugin-prisma's datamodel to check its model: pass prisma: { dmmf: getDatamodel() } to the builder.";
  }
  if (!datamodel.models[model]) {
    return `model "${model}" is not a Prisma model${didYouMean(model, Object.keys(datamodel.models))}.`;
  }
  if (prismaModel === undefined || fieldOptions.id) {
    return { objectType: model, idField: 'id' };
  }
  const definition = datamodel.models[prismaModel];
  const idField = definition && singleIdField(definition);
  if (!idField) {
    return `${prismaModel} has no single id field, so its entries cannot be found by it: pass { id: (parent) => … } returning the id as stored in objectId.`;
  }
  return { objectType: model, idField: idField.name };
}

fieldBuilderProto.eventLog = function eventLog(
  this: Any,
  fieldOptions: EventLogFieldOptions<SchemaTypes, unknown> = {},
) {
  const builder = this.builder;
  const options = eventLogOptions(builder);
  const refs = eventLogRefs(builder);
  const prismaModel: string | undefined = this.kind === 'PrismaObject' ? this.model : undefined;
  const target = fieldTarget(options.datamodel, fieldOptions, prismaModel);
  const ref = this.connection(
    {
      type: refs.eventLog,
      // Nullable: a denied read answers null with FORBIDDEN and leaves the parent's fields.
      nullable: true,
      description:
        fieldOptions.description ??
        'Audit entries about this object, newest first (ties broken by id); null with a FORBIDDEN error when the reader may not read them.',
      args: { tool: this.arg.string(), action: this.arg.string() },
      resolve: (
        parent: Any,
        args: Any,
        context: SchemaTypes['Context'],
        info: GraphQLResolveInfo,
      ) => {
        const { objectType, idField } = target as FieldTarget;
        const id: RowId | null | undefined = fieldOptions.id
          ? fieldOptions.id(parent)
          : parent?.[idField];
        if (id === undefined) {
          // The schema's mistake, not the client's: a server error, masked by Yoga.
          throw new EventLogSetupError(
            `pothos-eventlog: ${info.parentType.name}.${info.fieldName} has no id for its parent: ${
              fieldOptions.id
                ? 'its id function returned undefined. Return the id as stored (or null).'
                : `the parent has no ${idField}. Load it, or pass { id } to t.eventLog().`
            }`,
          );
        }
        return readEventLogs(options, context, {
          filter: { tool: args.tool, action: args.action },
          page: args,
          object: { objectType, objectId: id === null ? null : String(id) },
        });
      },
    },
    refs.connection,
  );
  if (typeof target === 'string') {
    ref.onFirstUse((config: { parentType: string; name: string }) => {
      throw new PothosSchemaError(
        `pothos-eventlog: t.eventLog() of ${config.parentType}.${config.name}: ${target}`,
      );
    });
  }
  return ref;
};
