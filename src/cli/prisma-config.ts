import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './cli-error.js';
import { shownPath } from './schema.js';

/** What the CLI takes from the project's Prisma config file. */
export interface PrismaConfigPaths {
  /** The config file read, as messages show it. */
  file: string;
  /** Absolute path of the schema file or folder, when the config names one. */
  schema?: string | undefined;
  /** Absolute path of the migrations folder, when the config names one. */
  migrations?: string | undefined;
}

interface ConfigModule {
  loadConfigFromFile(input: { configRoot: string }): Promise<{
    resolvedPath: string | null;
    config?: { schema?: string; migrations?: { path?: string } };
    error?: { _tag: string; error?: Error };
  }>;
}

/**
 * The schema and migrations paths of the project's `prisma.config.ts` (or any name Prisma
 * looks for), read with Prisma's own loader, `@prisma/config` as the project's `prisma`
 * installs it, so the CLI finds what `prisma migrate` finds. Undefined when the project has
 * no config file, or no `prisma` to read one with.
 */
export async function readPrismaConfig(cwd: string): Promise<PrismaConfigPaths | undefined> {
  let loader: ConfigModule;
  try {
    const fromProject = createRequire(join(cwd, 'package.json'));
    const fromPrisma = createRequire(fromProject.resolve('prisma/package.json'));
    loader = (await import(
      pathToFileURL(fromPrisma.resolve('@prisma/config')).href
    )) as ConfigModule;
  } catch {
    return undefined;
  }
  const loaded = await loader.loadConfigFromFile({ configRoot: cwd });
  if (loaded.resolvedPath === null) return undefined;
  const file = shownPath(cwd, loaded.resolvedPath);
  if (loaded.error || !loaded.config) {
    const cause = loaded.error?.error?.message ?? loaded.error?._tag ?? 'no config';
    throw new CliError(
      `The Prisma config ${file} could not be read: ${cause}. Fix it (npx prisma validate shows the same error), or pass --schema and --migrations.`,
    );
  }
  return {
    file,
    schema: loaded.config.schema,
    migrations: loaded.config.migrations?.path,
  };
}
