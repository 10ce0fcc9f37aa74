// Runs `prisma generate` for the example (example/generated/, git-ignored) unless its output
// was generated from the same schema files by the same generator versions. The `pre` hook of
// `npm start`, `npm test` and `npm run typecheck`, so a fresh clone works after `npm ci`
// without a `prepare` script, which would ship in the published manifest.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = join(root, 'example', 'generated');
const stamp = join(output, '.inputs-sha256');
const schemaDir = join(root, 'prisma', 'schema');

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const name of ['prisma', '@prisma/client', '@pothos/plugin-prisma']) {
    const manifest = JSON.parse(
      readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'),
    );
    hash.update(`${name}@${manifest.version}\n`);
  }
  for (const file of readdirSync(schemaDir).sort()) {
    if (file.endsWith('.prisma'))
      hash.update(`${file}\n`).update(readFileSync(join(schemaDir, file)));
  }
  return hash.digest('hex');
}

const wanted = inputsHash();
const current = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : undefined;
const complete = ['pothos-types.ts', 'prisma/client.ts'].every((file) =>
  existsSync(join(output, file)),
);
if (current !== wanted || !complete || process.argv.includes('--force')) {
  // The Pothos generator is found on the PATH, as under `npm run`.
  const bin = join(root, 'node_modules', '.bin');
  const result = spawnSync(join(bin, 'prisma'), ['generate'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stamp, `${wanted}\n`);
}
