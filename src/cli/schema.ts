import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { CaptureDatamodel } from '../capture/capture-sql.js';
import { CliError } from './cli-error.js';

const require = createRequire(import.meta.url);

interface SchemaWasm {
  get_dmmf(params: string): string;
  get_config(params: string): string;
}

/** Where the CLI looks for the Prisma schema without `--schema`, in this order. */
export const DEFAULT_SCHEMA_PATHS = ['prisma/schema', 'prisma/schema.prisma', 'schema.prisma'];

export interface PrismaSchema {
  /** The file or folder read, relative to the working directory. */
  path: string;
  files: { path: string; content: string }[];
  /** Prisma's DMMF datamodel; `indexes` lists every model's indexes. */
  datamodel: CaptureDatamodel & { indexes?: readonly { model: string }[] };
}

/** A path as messages show it: relative to `cwd` when inside it, else absolute. */
export function shownPath(cwd: string, path: string): string {
  const inside = relative(cwd, path);
  return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/** The `--schema` given, or the first of `DEFAULT_SCHEMA_PATHS` that exists. */
export function findSchemaPath(cwd: string, given: string | undefined): string {
  if (given !== undefined) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) {
      throw new CliError(
        `The Prisma schema ${given} does not exist (looked for ${path}): pass --schema <file or folder> of your Prisma schema.`,
      );
    }
    return path;
  }
  for (const candidate of DEFAULT_SCHEMA_PATHS) {
    const path = resolve(cwd, candidate);
    if (existsSync(path)) return path;
  }
  throw new CliError(
    `No Prisma schema found in ${cwd} (looked for ${DEFAULT_SCHEMA_PATHS.join(', ')}): pass --schema <file or folder>.`,
  );
}

/**
 * Reads a Prisma schema (one file, or every .prisma file under a folder, as Prisma's
 * multi-file schemas) and its DMMF datamodel, with Prisma's own wasm build of
 * prisma-schema. The datasource must be PostgreSQL: the capture triggers are PL/pgSQL.
 */
export async function readPrismaSchema(cwd: string, path: string): Promise<PrismaSchema> {
  const files = await readSchemaFiles(cwd, path);
  const wasm = require('@prisma/prisma-schema-wasm') as SchemaWasm;
  const prismaSchema = files.map((file) => [file.path, file.content]);
  let dmmf: { datamodel: PrismaSchema['datamodel'] };
  try {
    dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema })));
  } catch (error) {
    throw new CliError(
      `The Prisma schema ${shownPath(cwd, path)} is invalid:\n${schemaErrorMessage(error)}`,
    );
  }
  const { config } = JSON.parse(
    wasm.get_config(
      JSON.stringify({ prismaSchema, datasourceOverrides: {}, ignoreEnvVarErrors: true, env: {} }),
    ),
  ) as { config?: { datasources?: { provider: string; activeProvider?: string }[] } };
  const provider = config?.datasources?.[0]?.activeProvider ?? config?.datasources?.[0]?.provider;
  if (provider !== undefined && provider !== 'postgresql') {
    throw new CliError(
      `The Prisma schema's datasource is ${provider}: pothos-eventlog captures changes with PostgreSQL triggers, so the datasource must be provider = "postgresql".`,
    );
  }
  return { path: shownPath(cwd, path), files, datamodel: dmmf.datamodel };
}

async function readSchemaFiles(cwd: string, path: string) {
  const names = statSync(path).isDirectory()
    ? (await readdir(path, { recursive: true }))
        .filter((name) => name.endsWith('.prisma'))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (names.length === 0) {
    throw new CliError(
      `The folder ${shownPath(cwd, path)} holds no .prisma file: pass --schema <file or folder> of your Prisma schema.`,
    );
  }
  return Promise.all(
    names.map(async (name) => ({
      path: shownPath(cwd, name),
      content: await readFile(name, 'utf8'),
    })),
  );
}

/** prisma-schema-wasm throws `{"error_code","message"}` as JSON, with terminal colours. */
function schemaErrorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    // Not JSON: keep it as it is.
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removes terminal colour codes
  return message.replace(/\u001b\[[0-9;]*m/g, '').trim();
}
