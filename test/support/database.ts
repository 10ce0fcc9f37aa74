// Databases for the tests: a fresh PostgreSQL database per test file (postgres suite),
// or an in-memory PGlite (embedded suite), both with the migrations applied.
import { type Database, openDatabase, redactUrl } from '../../example/database.js';
import { applyMigrations } from '../../scripts/schema-engine.js';
import { createScratchDatabase } from '../../scripts/scratch-database.js';

export interface TestDatabase extends Database {
  /** Connection URL of the fresh database. */
  url: string;
  /** Its name, `pel_test_<random>`. */
  name: string;
  /** Closes the clients and drops the database. */
  drop(): Promise<void>;
}

/** Creates `pel_test_<random>` on the server of DATABASE_URL and applies the migrations. */
export async function createTestDatabase(
  serverUrl = process.env.DATABASE_URL,
): Promise<TestDatabase> {
  if (!serverUrl) throw new Error('createTestDatabase needs DATABASE_URL.');
  const scratch = await createScratchDatabase(serverUrl, 'pel_test');
  let database: Database | undefined;
  try {
    database = await openDatabase({ databaseUrl: scratch.url, poolSize: 4 });
    await applyMigrations(database.adapterFactory);
  } catch (error) {
    await database?.close().catch(() => {});
    await scratch.drop();
    throw error;
  }
  const opened = database;
  return {
    ...opened,
    description: `PostgreSQL database ${scratch.name} at ${redactUrl(serverUrl)}`,
    url: scratch.url,
    name: scratch.name,
    drop: async () => {
      await opened.close().catch(() => {});
      await scratch.drop();
    },
  };
}

/** An in-memory PGlite with the migrations applied. */
export async function createEmbeddedDatabase(): Promise<Database> {
  const database = await openDatabase({ pgliteDir: 'memory://' });
  try {
    await applyMigrations(database.adapterFactory);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
