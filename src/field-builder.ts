import { RootFieldBuilder, type SchemaTypes } from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import { badInput } from './graphql-errors.js';
import { eventLogOptions } from './options.js';
import { readEventLogs } from './read/read-event-logs.js';
import { eventLogRefs } from './schema/event-log-type.js';
import type { EventLogFieldOptions } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: Pothos' generics cannot be carried through a plugin
type Any = any;

const fieldBuilderProto = RootFieldBuilder.prototype as PothosSchemaTypes.RootFieldBuilder<
  SchemaTypes,
  unknown
>;

fieldBuilderProto.eventLog = function eventLog(
  this: Any,
  fieldOptions: EventLogFieldOptions<unknown> = {},
) {
  const builder = this.builder;
  const options = eventLogOptions(builder);
  const refs = eventLogRefs(builder);
  return this.connection(
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
        const id = fieldOptions.id ? fieldOptions.id(parent) : parent?.id;
        if (id === undefined) {
          throw badInput(
            `${info.parentType.name}.${info.fieldName} needs the parent's id: load it, or pass { id } to t.eventLog().`,
          );
        }
        const objectType =
          fieldOptions.model ??
          (info.parentType.extensions?.pothosPrismaModel as string | undefined) ??
          info.parentType.name;
        return readEventLogs(options, context, {
          filter: { tool: args.tool, action: args.action },
          page: args,
          object: { objectType, objectId: id === null ? null : String(id) },
        });
      },
    },
    refs.connection,
  );
};
