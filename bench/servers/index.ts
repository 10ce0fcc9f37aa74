import type { GraphQLSchema } from 'graphql';
import { createHandWrittenSchema } from './hand-written.js';
import { createPlainSchema } from './plain.js';
import { createPluginSchema } from './plugin.js';
import { createTriggerSchema } from './trigger.js';

/** The W1 variants, in the order they run in each round. */
export const w1Variants = ['none', 'plugin', 'hand-written', 'trigger'] as const;
export type W1Variant = (typeof w1Variants)[number];

export const w1Schemas: Record<W1Variant, () => GraphQLSchema> = {
  none: createPlainSchema,
  plugin: createPluginSchema,
  'hand-written': createHandWrittenSchema,
  trigger: createTriggerSchema,
};
