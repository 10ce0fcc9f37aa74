import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type EventLogCaptureDeclaration,
  resolveCaptureDeclaration,
} from '../capture/declaration.js';
import { CliError } from './cli-error.js';
import { shownPath } from './schema.js';

const typescript = new Set(['.ts', '.mts', '.cts']);
const javascript = new Set(['.js', '.mjs', '.cjs']);

export interface LoadedDeclaration {
  /** The module, relative to the working directory. */
  path: string;
  /** The export the declaration was read from. */
  exportName: string;
  declaration: EventLogCaptureDeclaration;
}

/**
 * Imports the module that exports the capture declaration: JavaScript with `import()`,
 * TypeScript through the tsx of the user's project (`tsx/esm/api`), resolved from `cwd`.
 * Takes the export `default`, else `capture`, else the one export that is a declaration.
 */
export async function loadDeclaration(cwd: string, specifier: string): Promise<LoadedDeclaration> {
  const path = resolve(cwd, specifier);
  const shown = shownPath(cwd, path);
  if (!existsSync(path)) {
    throw new CliError(
      `The capture module ${specifier} does not exist (looked for ${path}): pass --capture <file> that exports defineEventLogCapture(...).`,
    );
  }
  const extension = extname(path);
  let module: Record<string, unknown>;
  try {
    if (typescript.has(extension)) module = await importTypeScript(cwd, path, shown);
    else if (javascript.has(extension)) module = await import(pathToFileURL(path).href);
    else {
      throw new CliError(
        `The capture module ${shown} is neither JavaScript (.js, .mjs, .cjs) nor TypeScript (.ts, .mts, .cts).`,
      );
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      `The capture module ${shown} failed to load: ${error instanceof Error ? error.message : String(error)}`,
      1,
      { cause: error },
    );
  }
  const [exportName, declaration] = pickDeclaration(module, shown);
  try {
    resolveCaptureDeclaration(declaration);
  } catch (error) {
    throw new CliError(
      `The export ${exportName} of ${shown} is not a valid capture declaration: ${(error instanceof Error ? error.message : String(error)).replace(/^pothos-eventlog capture: /, '')}`,
    );
  }
  return { path: shown, exportName, declaration };
}

async function importTypeScript(cwd: string, path: string, shown: string) {
  let api: string;
  try {
    api = tsxEsmApi(cwd);
  } catch {
    throw new CliError(
      `The capture module ${shown} is TypeScript, and tsx is not installed in ${cwd}: install it (npm install --save-dev tsx), or pass --capture the compiled JavaScript module.`,
    );
  }
  const { tsImport } = (await import(pathToFileURL(api).href)) as {
    tsImport(specifier: string, parentURL: string): Promise<Record<string, unknown>>;
  };
  return tsImport(pathToFileURL(path).href, pathToFileURL(resolve(cwd, 'package.json')).href);
}

/**
 * The ESM build of `tsx/esm/api` in the project's own node_modules. `require.resolve` would
 * give its CommonJS build, which cannot load TypeScript as ES modules: read the `import`
 * condition of tsx's exports instead.
 */
function tsxEsmApi(cwd: string): string {
  const manifestPath = createRequire(resolve(cwd, 'package.json')).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: Record<string, { import?: string | { default?: string } }>;
  };
  const entry = manifest.exports?.['./esm/api']?.import;
  const target = typeof entry === 'string' ? entry : entry?.default;
  if (!target) throw new Error(`tsx at ${manifestPath} has no ESM export ./esm/api`);
  return resolve(dirname(manifestPath), target);
}

function isDeclaration(value: unknown): value is EventLogCaptureDeclaration {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { models?: unknown }).models === 'object' &&
    (value as { models?: unknown }).models !== null
  );
}

function pickDeclaration(
  module: Record<string, unknown>,
  shown: string,
): [string, EventLogCaptureDeclaration] {
  // tsx loads a TypeScript file compiled to CommonJS with its exports also on `default`.
  const names = Object.keys(module).filter((name) => name !== 'module.exports');
  for (const name of ['default', 'capture']) {
    if (isDeclaration(module[name])) return [name, module[name]];
  }
  const candidates = names.filter((name) => isDeclaration(module[name]));
  const [only] = candidates;
  if (candidates.length === 1 && only) return [only, module[only] as EventLogCaptureDeclaration];
  const found = names.length ? names.join(', ') : 'none';
  throw new CliError(
    candidates.length > 1
      ? `The capture module ${shown} exports ${candidates.length} capture declarations (${candidates.join(', ')}): export the one to use as default or as capture.`
      : `The capture module ${shown} exports no capture declaration (exports found: ${found}): export defineEventLogCapture({ models: { ... } }) as default or as capture.`,
  );
}
