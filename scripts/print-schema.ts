// npm run print-schema: writes the example's GraphQL schema, sorted, to schema.graphql.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../example/schema/index.js';
import { projectRoot } from './schema-engine.js';

export const printedSchema = () => `${printSchema(lexicographicSortSchema(schema))}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(join(projectRoot, 'schema.graphql'), printedSchema());
  console.log('Wrote schema.graphql');
}
