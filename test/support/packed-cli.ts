// The package as a user installs it: built into its own folder, packed by npm, installed
// from the tarball into a project, its bin run as a subprocess there.
import { execFile } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Run as ProcessRun, runProcess, withoutSignal } from './run-process.js';

const execFileAsync = promisify(execFile);
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** What a bin run printed, and its exit code (the tests compare it whole). */
export type Run = Omit<ProcessRun, 'signal'>;

/**
 * Builds src with tsconfig.build.json into `work`/pkg (its own dist: `npm run build` would
 * empty the one other runs read) and packs it; returns the tarball's path.
 */
export async function packPackage(work: string): Promise<string> {
  const pkg = join(work, 'pkg');
  // tsc emits despite type errors, which `npm run typecheck` reports: the CLI's JavaScript
  // is what is needed, and its absence fails here.
  const build = await execFileAsync(
    'npx',
    ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(pkg, 'dist')],
    { cwd: root },
  ).catch((error: { stdout?: string; stderr?: string }) => error);
  for (const file of ['cli/main.js', 'index.js']) {
    if (!existsSync(join(pkg, 'dist', file))) {
      throw new Error(
        `The build emitted no dist/${file}:\n${build.stdout ?? ''}${build.stderr ?? ''}`,
      );
    }
  }
  await copyFile(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'prisma/schema/eventlog.prisma'), join(pkg, 'prisma/schema/eventlog.prisma'));
  const { stdout } = await execFileAsync(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
    { cwd: pkg },
  );
  const [pack] = JSON.parse(stdout) as { filename: string }[];
  if (!pack) throw new Error(`npm pack printed no package: ${stdout}`);
  return join(work, pack.filename);
}

/**
 * `npm install <tarball>` in `project`, from npm's cache where it can (a fresh machine's
 * cache lacks the registry metadata of the package's dependencies: npm then asks the
 * registry). npm links the bin and sets its mode, and installs the package's own
 * dependencies. Then `links` (peers, tsx) from the repo.
 */
export async function installPackage(project: string, tarball: string, links: string[]) {
  await execFileAsync(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-save',
      '--ignore-scripts',
      '--legacy-peer-deps',
      '--no-audit',
      '--no-fund',
      tarball,
    ],
    { cwd: project },
  );
  for (const name of links) {
    await mkdir(join(project, 'node_modules', name, '..'), { recursive: true });
    await symlink(join(root, 'node_modules', name), join(project, 'node_modules', name), 'dir');
  }
}

/** Runs the project's linked bin (its shebang, its mode) in `cwd`; kills it after 60 s. */
export function runBin(cwd: string, args: string[]): Promise<Run> {
  return runProcess(join(cwd, 'node_modules/.bin/pothos-eventlog'), args, {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '' },
  }).then(withoutSignal);
}
