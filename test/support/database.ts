// Databases for the tests: a fresh PostgreSQL database per test file (postgres suite),
// or an in-memory PGlite (embedded suite), both with the migrations applied.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase, redactUrl } from '../../example/database.js';
import { applyMigrations } from '../../scripts/schema-engine.js';

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
  const name = `pel_test_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let database: Database | undefined;
  try {
    database = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
    await applyMigrations(database.adapterFactory);
  } catch (error) {
    await database?.close().catch(() => {});
    await admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    throw error;
  }
  const opened = database;
  return {
    ...opened,
    description: `PostgreSQL database ${name} at ${redactUrl(serverUrl)}`,
    url: url.toString(),
    name,
    drop: async () => {
      await opened.close().catch(() => {});
      await admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
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

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
