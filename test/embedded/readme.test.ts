// The README, run. Every GraphQL operation in it is sent, in order, to the example server
// (first start: demo data and its history) over HTTP, and must answer the JSON block that
// follows it; every `curl` command is run by bash against the same server; every SDL block
// must agree with the schema; every TypeScript block is written to the file its first line
// names and the whole small application is type-checked. A README that drifts fails here.
//
// README_UPDATE=1 npx vitest run test/embedded/readme.test.ts writes the answers got back
// into the README instead of comparing them (then read the diff before committing it).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, type GraphQLObjectType, isObjectType, Kind, parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../example/database.js';
import { writeDemoHistory } from '../../example/demo-history.js';
import { seed } from '../../example/seed.js';
import { createServer } from '../../example/server.js';
import { diffEmptyToSchema, projectRoot, readSchemaFiles } from '../../scripts/schema-engine.js';
import { createEmbeddedDatabase } from '../support/database.js';
import { type FencedBlock, fencedBlocks, replaceBlocks } from '../support/readme-blocks.js';

const execFileAsync = promisify(execFile);
const readmePath = join(projectRoot, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const blocks = fencedBlocks(readme);
const updating = process.env.README_UPDATE === '1';
const exampleUrl = 'http://localhost:4000';

interface Request {
  block: FencedBlock;
  answer: FencedBlock | undefined;
  /** `stream`: a `curl -N` subscription, checked at its output block (a ```text block). */
  kind: 'graphql' | 'curl' | 'stream';
}

/** The block after `index`, if it is a JSON block (an answer). */
const answerAfter = (index: number) =>
  blocks[index + 1]?.lang === 'json' ? blocks[index + 1] : undefined;

const isOperation = (text: string) =>
  parse(text).definitions.every((definition) => definition.kind === Kind.OPERATION_DEFINITION);

const requests: Request[] = [];
const sdlBlocks: FencedBlock[] = [];
for (const [index, block] of blocks.entries()) {
  if (block.lang === 'graphql') {
    if (isOperation(block.text))
      requests.push({ block, answer: answerAfter(index), kind: 'graphql' });
    else sdlBlocks.push(block);
  } else if (
    block.lang === 'sh' &&
    block.text.startsWith('curl ') &&
    block.text.includes(exampleUrl)
  ) {
    if (/\bcurl -N\b/.test(block.text)) {
      const output = blocks.slice(index + 1).find((next) => next.lang === 'text');
      requests.push({ block, answer: output, kind: 'stream' });
    } else {
      requests.push({ block, answer: answerAfter(index), kind: 'curl' });
    }
  }
}
const tsBlocks = blocks.filter((block) => block.lang === 'ts');

const consoleBlocks = blocks.filter((block) => block.lang === 'console');
const app = join(projectRoot, '.readme-app');
const cliEntry = join(projectRoot, 'src/cli/main.ts');

/** `$ command` lines of a console block, each with the lines it printed. */
function commandsOf(block: FencedBlock) {
  const sessions: { command: string; output: string[] }[] = [];
  for (const line of block.text.split('\n')) {
    if (line.startsWith('$ ')) sessions.push({ command: line.slice(2), output: [] });
    else if (sessions.length === 0) {
      throw new Error(`README line ${block.line}: a console block starts with a $ command.`);
    } else sessions.at(-1)?.output.push(line);
  }
  return sessions;
}

/** Migration folders are named by the time they were written. */
const withoutTimestamps = (line: string) => line.replace(/\b\d{14}_/g, '<timestamp>_');

/**
 * The README's application: every TypeScript block in the file its first line names, the
 * example's generated client as its own, and a Prisma project like a user's before they run
 * pothos-eventlog: the example's schema with the EventLog model copied in, and a first
 * migration that creates their own tables only.
 */
async function writeReadmeApp() {
  await rm(app, { recursive: true, force: true });
  const files = new Map<string, string[]>();
  for (const block of tsBlocks) {
    const match = /^\/\/ ([\w./-]+\.ts)\b/.exec(block.text);
    if (!match) {
      throw new Error(
        `README line ${block.line}: a TypeScript block starts with a comment naming its file, e.g. // src/builder.ts.`,
      );
    }
    const file = match[1] as string;
    files.set(file, [...(files.get(file) ?? []), block.text]);
  }
  for (const [file, parts] of files) {
    await mkdir(dirname(join(app, file)), { recursive: true });
    await writeFile(join(app, file), `${parts.join('\n\n')}\n`);
  }
  await mkdir(join(app, 'src'), { recursive: true });
  await symlink(join(projectRoot, 'example/generated'), join(app, 'src/generated'));
  await writeFile(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: {
        paths: {
          'pothos-eventlog': ['../src/index.ts'],
          'pothos-eventlog/service': ['../src/service/index.ts'],
          'pothos-eventlog/viewer': ['../src/viewer/index.ts'],
        },
      },
      include: ['src'],
    }),
  );
  const schema = join(app, 'prisma/schema');
  await mkdir(schema, { recursive: true });
  const own = await readSchemaFiles(join(projectRoot, 'prisma/schema'));
  for (const file of own) {
    await writeFile(join(schema, basename(file.path)), file.content);
  }
  const init = join(app, 'prisma/migrations/20261201090000_init');
  await mkdir(init, { recursive: true });
  const sql = await diffEmptyToSchema(own.filter((file) => !file.path.endsWith('eventlog.prisma')));
  await writeFile(join(init, 'migration.sql'), `${sql}\n`);
  await writeFile(join(app, 'prisma/migrations/migration_lock.toml'), 'provider = "postgresql"\n');
}

/** `# x-user-id: 1` lines at the top of an operation are its headers. */
function headersOf(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^#\s*([a-z-]+):\s*(.+)$/.exec(line);
    if (!match) break;
    headers[match[1] as string] = (match[2] as string).trim();
  }
  return headers;
}

/** Whether a string is the global ID of an entry (it carries the entry's time). */
const isEntryId = (value: string) =>
  /^[A-Za-z0-9+/]+=*$/.test(value) &&
  Buffer.from(value, 'base64').toString('utf8').startsWith('EventLog:[');

/** The first entry's global ID in an answer: `"<id>"` in a later operation. */
function findEntryId(value: unknown): string | undefined {
  if (typeof value === 'string') return isEntryId(value) ? value : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const child of Object.values(value)) {
    const found = findEntryId(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What differs from run to run: times, cursors and entry ids (they carry a time), request ids. */
function normalize(value: unknown, key?: string): unknown {
  if (typeof value === 'string') {
    if (key && /cursor$/i.test(key)) return '<cursor>';
    if (key === 'id' && isEntryId(value)) return '<EventLog id>';
    if (key === 'requestId' || key === 'call') return `<${key}>`;
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return '<timestamp>';
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => normalize(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, k)]));
  }
  return value;
}

interface RunningStream {
  child: ChildProcess;
  output: () => string;
  closed: Promise<void>;
}

/** Starts a `curl -N` (SSE) command; resolves once the server has answered and subscribed. */
async function startStream(command: string): Promise<RunningStream> {
  const child = spawn('bash', ['-c', command], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const deadline = Date.now() + 20_000;
  // Yoga opens the stream with a ":" ping; the subscription starts right after it.
  while (!out.startsWith(':') && Date.now() < deadline) await sleep(50);
  if (!out.startsWith(':')) throw new Error(`The stream did not open: ${JSON.stringify(out)}`);
  await sleep(1500);
  return { child, output: () => out, closed };
}

/** The events of an SSE text: `{ event, data }`, data parsed and normalized, pings left out. */
function sseEvents(text: string) {
  return text
    .split('\n')
    .filter((line) => !line.startsWith(':'))
    .join('\n')
    .split(/\n\n+/)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk)
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1];
      const data = /^data: ?(.*)$/m.exec(chunk)?.[1] ?? '';
      return { event, data: data ? normalize(JSON.parse(data)) : '' };
    });
}

/** Waits for a stream to print `expected`'s events (or to end), then stops it. */
async function finishStream(stream: RunningStream, expected: string) {
  // Updating the README: its block may be empty; the first event (or the end) will do.
  const wanted = updating ? 1 : sseEvents(expected).length;
  const deadline = Date.now() + 20_000;
  let ended = false;
  stream.closed.then(() => {
    ended = true;
  });
  while (!ended && Date.now() < deadline && sseEvents(stream.output()).length < wanted) {
    await sleep(50);
  }
  stopStream(stream);
  await stream.closed;
  return stream.output();
}

/** Ends the curl process group; it may have ended by itself. */
function stopStream(stream: RunningStream) {
  try {
    if (stream.child.pid) process.kill(-stream.child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function findKey(value: unknown, key: string): unknown {
  if (!value || typeof value !== 'object') return undefined;
  if (key in value) return (value as Record<string, unknown>)[key];
  for (const child of Object.values(value)) {
    const found = findKey(child, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe('README', () => {
  let database: Database;
  let http: HttpServer;
  let url: string;
  /** The endCursor of the last answer that had one: `"<endCursor>"` in an operation. */
  let endCursor: unknown;
  /** The first entry id of the last answer that had one: `"<id>"` in an operation. */
  let entryId: string | undefined;
  /** The cursor of the last entry a stream delivered: `<cursor>` in a command. */
  let lastCursor: unknown;
  const updates: { block: FencedBlock; text: string }[] = [];

  beforeAll(async () => {
    await writeReadmeApp();
    database = await createEmbeddedDatabase();
    await seed(database.prisma);
    const yoga = createServer({
      prisma: database.prisma,
      eventLogListener: database.eventLogListener,
    });
    await writeDemoHistory(yoga);
    http = createHttpServer(yoga);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    http?.closeAllConnections();
    await new Promise((resolve) => http?.close(resolve));
    await database?.close();
    if (updating && updates.length > 0) {
      const current = readFileSync(readmePath, 'utf8');
      if (current !== readme) throw new Error('README.md changed during the run: not updated.');
      await writeFile(readmePath, replaceBlocks(readme, updates));
      // Biome formats the JSON blocks of the README too: leave it as the lint check wants it.
      await execFileAsync(join(projectRoot, 'node_modules/.bin/biome'), [
        'format',
        '--write',
        readmePath,
      ]);
    }
  });

  it('has runnable examples', () => {
    expect(requests.filter((request) => request.kind === 'graphql').length).toBeGreaterThan(5);
    expect(tsBlocks.length).toBeGreaterThan(5);
  });

  describe.sequential('operations answer what the README shows', () => {
    /** What runs, in the README's order: a stream starts at its command, is checked at its output. */
    const steps = [
      ...requests.map((request) => ({ at: request.block.start, request, check: false })),
      ...requests
        .filter((request) => request.kind === 'stream' && request.answer)
        .map((request) => ({ at: request.answer?.start ?? 0, request, check: true })),
    ].sort((a, b) => a.at - b.at);
    const streams = new Map<Request, RunningStream>();
    afterAll(() => {
      for (const stream of streams.values()) stopStream(stream);
    });
    for (const { request, check } of steps) {
      if (request.kind === 'stream' && !check) {
        it(`stream at README line ${request.block.line} starts`, async () => {
          if (!request.answer) {
            throw new Error(
              `README line ${request.block.line}: the curl -N example needs its output in a \`\`\`text block after it.`,
            );
          }
          const command = request.block.text
            .replaceAll(exampleUrl, url)
            .replaceAll('<cursor>', String(lastCursor));
          streams.set(request, await startStream(command));
        }, 30_000);
        continue;
      }
      if (request.kind === 'stream') {
        it(`stream at README line ${request.block.line} prints README line ${request.answer?.line}`, async () => {
          const stream = streams.get(request);
          if (!stream || !request.answer) throw new Error('The stream did not start.');
          const printed = await finishStream(stream, request.answer.text);
          streams.delete(request);
          const events = sseEvents(printed);
          // Normalizing hides cursors: take the last one from the raw output.
          lastCursor = [...printed.matchAll(/"cursor":"([^"]+)"/g)].at(-1)?.[1] ?? lastCursor;
          if (updating) {
            // Keep-alive pings (":" lines) come every few seconds: show the first only.
            const [first, ...rest] = printed.trim().split('\n\n');
            const shown = [first, ...rest.filter((chunk) => !chunk.startsWith(':'))];
            updates.push({ block: request.answer, text: shown.join('\n\n') });
            return;
          }
          expect(events, `README line ${request.block.line}`).toEqual(
            sseEvents(request.answer.text),
          );
        }, 30_000);
        continue;
      }
      it(`${request.kind} at README line ${request.block.line}`, async () => {
        if (!request.answer) {
          throw new Error(
            `README line ${request.block.line}: the ${request.kind} example needs its answer in a \`\`\`json block right after it.`,
          );
        }
        const text = request.block.text
          .replaceAll('"<endCursor>"', JSON.stringify(endCursor))
          .replaceAll('"<id>"', JSON.stringify(entryId));
        let actual: unknown;
        if (request.kind === 'graphql') {
          const response = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headersOf(text) },
            body: JSON.stringify({ query: text }),
          });
          actual = await response.json();
        } else {
          const { stdout } = await execFileAsync('bash', ['-c', text.replaceAll(exampleUrl, url)]);
          actual = JSON.parse(stdout);
        }
        endCursor = findKey(actual, 'endCursor') ?? endCursor;
        lastCursor = findKey(actual, 'cursor') ?? lastCursor;
        entryId = findEntryId(actual) ?? entryId;
        if (updating) {
          updates.push({ block: request.answer, text: JSON.stringify(actual, null, 2) });
          return;
        }
        let expected: unknown;
        try {
          expected = JSON.parse(request.answer.text);
        } catch (error) {
          throw new Error(
            `README line ${request.answer.line}: the answer is not JSON: ${(error as Error).message}`,
          );
        }
        expect(normalize(actual), `README line ${request.block.line}`).toEqual(normalize(expected));
      });
    }
  });

  it('SDL blocks agree with the schema', () => {
    const schema = buildSchema(readFileSync(join(projectRoot, 'schema.graphql'), 'utf8'));
    expect(sdlBlocks.length).toBeGreaterThan(0);
    for (const block of sdlBlocks) {
      for (const definition of parse(block.text).definitions) {
        if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
        const where = `README line ${block.line}: type ${definition.name.value}`;
        const real = schema.getType(definition.name.value);
        expect(isObjectType(real), where).toBe(true);
        const realFields = (real as GraphQLObjectType).getFields();
        expect(
          (definition.interfaces ?? []).map((node) => node.name.value),
          `${where} implements`,
        ).toEqual((real as GraphQLObjectType).getInterfaces().map((type) => type.name));
        for (const field of definition.fields ?? []) {
          const match = realFields[field.name.value];
          expect(match, `${where}: field ${field.name.value}`).toBeDefined();
          const shown = `${field.name.value}(${(field.arguments ?? [])
            .map((arg) => `${arg.name.value}: ${print(arg.type)}`)
            .sort()
            .join(', ')}): ${print(field.type)}`;
          const actual = `${match?.name}(${(match?.args ?? [])
            .map((arg) => `${arg.name}: ${arg.type}`)
            .sort()
            .join(', ')}): ${match?.type}`;
          expect(shown, where).toBe(actual);
        }
      }
    }
  });

  it('TypeScript blocks type-check as one small application', async () => {
    const tsc = join(projectRoot, 'node_modules/typescript/bin/tsc');
    const result = await execFileAsync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], {
      cwd: app,
    }).catch((error: { stdout: string; stderr: string }) => error);
    expect(`${result.stdout}${result.stderr}`.trim(), 'tsc over the README application').toBe('');
  }, 120_000);

  describe.sequential('console sessions print what the README shows', () => {
    for (const block of consoleBlocks) {
      it(`console at README line ${block.line}`, async () => {
        const sessions = commandsOf(block);
        const printed: string[] = [];
        for (const { command, output } of sessions) {
          const run = command.replace(/^npx pothos-eventlog\b/, `npx tsx ${cliEntry}`);
          const result = await execFileAsync('bash', ['-c', `${run} 2>&1`], { cwd: app }).catch(
            (error: { stdout: string; code: number }) => error,
          );
          const lines = result.stdout.trimEnd().split('\n');
          printed.push(`$ ${command}`, ...lines);
          if (!updating) {
            expect(lines.map(withoutTimestamps), `README line ${block.line}: $ ${command}`).toEqual(
              output.map(withoutTimestamps),
            );
          }
        }
        if (updating) updates.push({ block, text: printed.join('\n') });
      }, 120_000);
    }
  });
});
