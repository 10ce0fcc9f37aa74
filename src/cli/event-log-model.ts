import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { CaptureDatamodelModel } from '../capture/capture-sql.js';
import type { PrismaSchema } from './schema.js';

const require = createRequire(import.meta.url);

/** The model fragment the package ships, which the shipped table SQL was generated from. */
export const SHIPPED_MODEL = new URL('../../prisma/schema/eventlog.prisma', import.meta.url);

type Datamodel = PrismaSchema['datamodel'];

/**
 * How the schema's model of `table` differs from the shipped EventLog model, in one phrase
 * (`field tenantId is not in the shipped model`); undefined when they create the same table.
 * Documentation comments and the model's own name do not count.
 */
export async function eventLogModelDifference(
  datamodel: Datamodel,
  table: string,
): Promise<string | undefined> {
  const shipped = await shippedDatamodel();
  const theirs = tableModel(datamodel, table);
  const ours = tableModel(shipped, table);
  if (!theirs || !ours) return undefined;
  const fields = (model: CaptureDatamodelModel) => new Map(model.fields.map((f) => [f.name, f]));
  const [mine, original] = [fields(theirs.model), fields(ours.model)];
  for (const [name, field] of mine) {
    const expected = original.get(name);
    if (!expected) return `field ${name} is not in the shipped model`;
    if (JSON.stringify(strip(field)) !== JSON.stringify(strip(expected))) {
      return `field ${name} is declared differently`;
    }
  }
  for (const name of original.keys()) {
    if (!mine.has(name)) return `field ${name} of the shipped model is missing`;
  }
  if (JSON.stringify(theirs.indexes) !== JSON.stringify(ours.indexes)) {
    return 'its indexes are not those of the shipped model';
  }
  const attributes = (model: CaptureDatamodelModel) =>
    JSON.stringify(strip({ ...model, name: undefined, fields: undefined }));
  if (attributes(theirs.model) !== attributes(ours.model)) {
    return 'its model attributes are not those of the shipped model';
  }
  return undefined;
}

let shippedCache: Promise<Datamodel> | undefined;

function shippedDatamodel(): Promise<Datamodel> {
  shippedCache ??= (async () => {
    const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };
    const prismaSchema = [
      ['eventlog.prisma', await readFile(SHIPPED_MODEL, 'utf8')],
      ['datasource.prisma', 'datasource db {\n  provider = "postgresql"\n}\n'],
    ];
    return (JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema }))) as { datamodel: Datamodel })
      .datamodel;
  })();
  return shippedCache;
}

function tableModel(datamodel: Datamodel, table: string) {
  const model = datamodel.models.find(
    (candidate) => (candidate.dbName ?? candidate.name) === table,
  );
  if (!model) return undefined;
  const indexes = (datamodel.indexes ?? [])
    .filter((index) => index.model === model.name)
    .map((index) => strip({ ...index, model: undefined }));
  return { model, indexes };
}

/** A copy without documentation comments, for comparison. */
function strip(value: object): object {
  return JSON.parse(
    JSON.stringify(value, (key, inner) => (key === 'documentation' ? undefined : inner)),
  );
}
