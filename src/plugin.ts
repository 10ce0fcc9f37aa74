import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  PothosSchemaError,
  type SchemaTypes,
} from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { auditedResolver } from './mutation/audited-resolver.js';
import { compileMessagePlan } from './mutation/message-plan.js';
import { eventLogOptions } from './options.js';
import { modelMetadata } from './read/model-metadata.js';
import { markWriting } from './read/read-client.js';
import { addEventLogAddedSubscription } from './schema/event-log-added.js';
import { addEventLogsQuery } from './schema/event-logs-query.js';
import { didYouMean } from './suggest.js';
import type { EventLogMutationModelOptions } from './types.js';

export const pluginName = 'eventLog';

// biome-ignore lint/suspicious/noExplicitAny: checked against the datamodel at build time
type AnyMutationOptions = EventLogMutationModelOptions<SchemaTypes, string, any>;

export class PothosEventLogPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  constructor(...args: ConstructorParameters<typeof BasePlugin<Types>>) {
    super(...args);
    // Plugins are made when the schema is built, before its types are: the last moment
    // to add the root query field.
    addEventLogsQuery(this.builder as never);
    addEventLogAddedSubscription(this.builder as never);
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const wrapped = this.#audited(resolver, fieldConfig);
    if (fieldConfig.kind !== 'Mutation' || !eventLogOptions(this.builder as never).readClient) {
      return wrapped;
    }
    // Every read of a mutation operation comes after one of its root fields started: from
    // then on its log reads go to the primary, so that its response sees what it wrote.
    return (parent, args, context, info) => {
      markWriting(context);
      return wrapped(parent, args, context, info);
    };
  }

  #audited(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const mutation = (fieldConfig.pothosOptions as { eventLog?: AnyMutationOptions }).eventLog;
    if (!mutation) return resolver;
    const where = `${fieldConfig.parentType}.${fieldConfig.name}`;
    if (fieldConfig.kind !== 'Mutation') {
      throw new PothosSchemaError(
        `pothos-eventlog: the eventLog option is for mutation fields; ${where} is not one.`,
      );
    }
    const options = eventLogOptions(this.builder as never);
    if (!options.datamodel) {
      throw new PothosSchemaError(
        `pothos-eventlog: ${where} is audited, which needs plugin-prisma's datamodel (prisma: { dmmf }).`,
      );
    }
    if (!options.capture) {
      throw new PothosSchemaError(
        `pothos-eventlog: ${where} is audited, but the builder's eventLog options have no \`capture\` declaration. Pass the one your capture migration is generated from: eventLog: { capture }.`,
      );
    }
    const meta = modelMetadata(options.datamodel, mutation.model);
    if (!meta) {
      throw new PothosSchemaError(
        `pothos-eventlog: eventLog.model "${mutation.model}" of ${where} is not a Prisma model with a single id field${didYouMean(mutation.model, Object.keys(options.datamodel.models))}.`,
      );
    }
    const captured = options.capture.models.get(mutation.model);
    if (!captured) {
      throw new PothosSchemaError(
        `pothos-eventlog: eventLog.model "${mutation.model}" of ${where} is not audited by the capture declaration: add ${mutation.model} to its models.`,
      );
    }
    for (const [name, value] of [
      ['tool', mutation.tool],
      ['action', mutation.action],
    ] as const) {
      if (
        value !== undefined &&
        (typeof value !== 'string' || value.length === 0 || value.length > 100)
      ) {
        throw new PothosSchemaError(
          `pothos-eventlog: eventLog.${name} of ${where} must be a string of 1 to 100 characters.`,
        );
      }
    }
    if (mutation.values !== undefined && typeof mutation.values !== 'function') {
      throw new PothosSchemaError(
        `pothos-eventlog: eventLog.values of ${where} must be a function.`,
      );
    }
    const plan = compileMessagePlan(mutation.message, {
      where,
      model: mutation.model,
      datamodel: options.datamodel,
      capture: captured,
      hasValues: typeof mutation.values === 'function',
    });
    return auditedResolver(resolver as never, mutation, plan, captured, options);
  }
}

SchemaBuilder.registerPlugin(pluginName, PothosEventLogPlugin);
