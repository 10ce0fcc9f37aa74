import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma';

export interface ModelMetadata {
  /** Name of the client's delegate, e.g. `certificateItem`. */
  delegate: string;
  idField: string;
  idType: string;
}

export type DataModel = PothosPrismaDatamodel['datamodel'];

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** The one field of a model's id (`@id`, or a one-field `@@id`); undefined for a compound id. */
export function singleIdField<Field extends { name: string; isId?: boolean }>(model: {
  fields: readonly Field[];
  primaryKey?: { fields: readonly string[] } | null;
}): Field | undefined {
  const fields = model.primaryKey?.fields;
  return (
    model.fields.find((field) => field.isId) ??
    (fields?.length === 1 ? model.fields.find((field) => field.name === fields[0]) : undefined)
  );
}

/** What the plugin needs to know of a model, from plugin-prisma's datamodel. */
export function modelMetadata(
  datamodel: DataModel | undefined,
  model: string,
): ModelMetadata | undefined {
  const definition = datamodel?.models[model];
  const idField = definition && singleIdField(definition);
  if (!idField) return undefined;
  return { delegate: lowerFirst(model), idField: idField.name, idType: idField.type };
}

/** Turns a stored (string) id back into the type of the model's id field. */
export function parseStoredId(id: string, idType: string): string | number | bigint | undefined {
  switch (idType) {
    case 'Int':
    case 'Float': {
      const value = Number(id);
      return Number.isFinite(value) && String(value) === id ? value : undefined;
    }
    case 'BigInt':
      return /^-?\d+$/.test(id) ? BigInt(id) : undefined;
    default:
      return id;
  }
}
