import type {
  FieldKind,
  FieldNullability,
  FieldRef,
  InputFieldMap,
  InputShapeFromFields,
  SchemaTypes,
  TypeParam,
} from '@pothos/core';
import type { PothosEventLogPlugin } from './plugin.js';
import type { EventLogFieldArgs, EventLogMutationOptions, EventLogPluginOptions } from './types.js';

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      eventLog: PothosEventLogPlugin<Types>;
    }

    interface SchemaBuilderOptions<Types extends SchemaTypes> {
      eventLog: EventLogPluginOptions<Types>;
    }

    interface MutationFieldOptions<
      Types extends SchemaTypes,
      Type extends TypeParam<Types>,
      Nullable extends FieldNullability<Type>,
      Args extends InputFieldMap,
      ResolveReturnShape,
    > {
      /**
       * Attributes the entries the capture triggers write during this mutation: the actor,
       * tool, action and message travel to the database on each statement's SQL comment.
       */
      eventLog?: EventLogMutationOptions<Types, InputShapeFromFields<Args>>;
    }

    interface RootFieldBuilder<
      Types extends SchemaTypes,
      ParentShape,
      Kind extends FieldKind = FieldKind,
    > {
      /**
       * The audit entries about the parent object, newest first, as an `EventLogConnection`.
       * @example certificate: t.eventLog()
       */
      eventLog: (
        ...options: EventLogFieldArgs<Types, ParentShape, Kind>
      ) => FieldRef<Types, unknown, Kind>;
    }
  }
}
