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
import type {
  EventLogFieldOptions,
  EventLogMutationOptions,
  EventLogPluginOptions,
} from './types.js';

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
       * Logs every call of this mutation, with its diff, in the transaction of the change.
       * The resolver's context holds the transaction client in place of the root client.
       */
      eventLog?: EventLogMutationOptions<Types, InputShapeFromFields<Args>, ResolveReturnShape>;
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
      eventLog: (options?: EventLogFieldOptions<ParentShape>) => FieldRef<Types, unknown, Kind>;
    }
  }
}
