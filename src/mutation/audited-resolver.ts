import type { SchemaTypes } from '@pothos/core';
import { type GraphQLFieldResolver, responsePathAsArray } from 'graphql';
import { withEventLogContext } from '../capture/context.js';
import type { ResolvedCaptureModel } from '../capture/declaration.js';
import { isEventLogError } from '../errors.js';
import { entryRefused } from '../graphql-errors.js';
import type { ResolvedOptions } from '../options.js';
import type { EventLogActor } from '../service/event-log-service.js';
import { createKeyMatcher, REDACTED } from '../service/mask.js';
import { collectTemplateValues, type StoredTemplateValues } from '../service/template.js';
import type { EventLogMutationModelOptions } from '../types.js';
import type { MessagePlan } from './message-plan.js';

// biome-ignore lint/suspicious/noExplicitAny: the option is checked per model where it is declared
type MutationOptions = EventLogMutationModelOptions<SchemaTypes, string, any>;
type Resolver = GraphQLFieldResolver<unknown, SchemaTypes['Context'], object>;

/**
 * Wraps a mutation resolver so that its writes carry who and why to the database. The
 * capture triggers write the entries, in the statements that change the rows; the wrapper
 * runs no SQL of its own, and nothing before the resolver (and its own checks) runs.
 */
export function auditedResolver(
  resolver: Resolver,
  mutation: MutationOptions,
  plan: MessagePlan,
  capture: ResolvedCaptureModel,
  options: ResolvedOptions,
): Resolver {
  const isMasked = createKeyMatcher(capture.masked);
  const masked = Object.fromEntries(plan.maskedKeys.map((key) => [key, REDACTED]));
  return async (parent, args, context, info) => {
    const actor = await options.actor(context);
    let values: StoredTemplateValues = {};
    if (plan.givenKeys.length > 0) {
      const given = mutation.values ? await mutation.values({ args, context, actor }) : {};
      try {
        values = collectTemplateValues(
          plan.givenTemplate,
          { ...given, ...masked, actor: actorValue(actor) },
          isMasked,
        );
      } catch (error) {
        throw isEventLogError(error) ? entryRefused(error) : error;
      }
    }
    try {
      return await withEventLogContext(
        {
          actor,
          tool: mutation.tool,
          requestId: options.requestId?.(context) ?? null,
          operationName: info.operation.name?.value ?? null,
          path: responsePathAsArray(info.path).join('.'),
          model: mutation.model,
          action: mutation.action,
          ...(plan.parts ? { template: plan.template, parts: plan.parts, values } : {}),
        },
        () => resolver(parent, args, context, info),
      );
    } catch (error) {
      throw isEventLogError(error) ? entryRefused(error) : error;
    }
  };
}

/** `{actor__id}` and `{actor__name}` render "" for an anonymous or nameless actor, never fail. */
function actorValue(actor: EventLogActor | null) {
  return { id: actor ? String(actor.id) : '', name: actor?.name ?? '' };
}
