// The Prisma schema's DMMF datamodel (table and column names, native types), read with
// Prisma's own wasm build of prisma-schema: the input of the capture SQL generator.
import { createRequire } from 'node:module';
import type { CaptureDatamodel } from '../src/capture/capture-sql.js';
import { readSchemaFiles, schemaDir } from './schema-engine.js';

const require = createRequire(import.meta.url);

export async function readDatamodel(dir = schemaDir): Promise<CaptureDatamodel> {
  const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };
  const files = await readSchemaFiles(dir);
  const dmmf = JSON.parse(
    wasm.get_dmmf(JSON.stringify({ prismaSchema: files.map((file) => [file.path, file.content]) })),
  ) as { datamodel: CaptureDatamodel };
  return dmmf.datamodel;
}
