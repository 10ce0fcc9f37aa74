import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma';

export interface ModelMetadata {
  /** Name of the client's delegate, e.g. `certificateItem`. */
  delegate: string;
  /** The table, for the row lock. */
  table: string;
  idField: string;
  idType: string;
  /** Relation fields, by name, with the model they point to. */
  relations: Map<string, string>;
}

export type DataModel = PothosPrismaDatamodel['datamodel'];

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * What the plugin needs to know of a model: from plugin-prisma's datamodel, plus the table
 * name from the client's runtime data model (it holds `@@map`, the datamodel does not).
 */
export function modelMetadata(
  datamodel: DataModel | undefined,
  model: string,
  client?: unknown,
): ModelMetadata | undefined {
  const definition = datamodel?.models[model];
  if (!definition) return undefined;
  const idField =
    definition.fields.find((field) => field.isId) ??
    (definition.primaryKey?.fields.length === 1
      ? definition.fields.find((field) => field.name === definition.primaryKey?.fields[0])
      : undefined);
  if (!idField) return undefined;
  const relations = new Map<string, string>();
  for (const field of definition.fields) {
    if (field.kind === 'object') relations.set(field.name, field.type);
  }
  const runtime = (
    client as { _runtimeDataModel?: { models?: Record<string, { dbName?: string | null }> } }
  )?._runtimeDataModel?.models?.[model];
  return {
    delegate: lowerFirst(model),
    table: runtime?.dbName ?? model,
    idField: idField.name,
    idType: idField.type,
    relations,
  };
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
