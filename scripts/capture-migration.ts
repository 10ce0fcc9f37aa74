// The capture migration of the example: the SQL its declaration (example/capture.ts)
// generates, and the newest migration that carries it. Both come from the shipped CLI's code.
import { capture } from '../example/capture.js';
import { captureSql } from '../src/capture/capture-sql.js';
import {
  latestCaptureMigration as latestIn,
  readMigrationFolder,
} from '../src/cli/migrations-folder.js';
import { readDatamodel } from './datamodel.js';
import { migrationsDir } from './schema-engine.js';

export { CAPTURE_MARKER } from '../src/cli/migrations-folder.js';

export async function generatedCaptureSql(): Promise<string> {
  return captureSql(await readDatamodel(), capture).sql;
}

/** The newest migration generated from a capture declaration, if any. */
export async function latestCaptureMigration(dir = migrationsDir) {
  return latestIn(await readMigrationFolder(dir));
}
