// The Prisma schema's DMMF datamodel (table and column names, native types), read the way
// the shipped CLI reads a user's schema: the input of the capture SQL generator.
import type { CaptureDatamodel } from '../src/capture/capture-sql.js';
import { readPrismaSchema } from '../src/cli/schema.js';
import { projectRoot, schemaDir } from './schema-engine.js';

export async function readDatamodel(dir = schemaDir): Promise<CaptureDatamodel> {
  return (await readPrismaSchema(projectRoot, dir)).datamodel;
}
