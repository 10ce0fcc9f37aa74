// `npm run build`, after tsc: bundles the log viewer's browser app into dist/viewer/assets/ (or
// <dir>/viewer/assets/ with a directory argument), where the built handler reads it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ASSET_NAMES, buildViewerAssets } from '../src/viewer/build.js';

const distDir = process.argv[2] ?? join(resolve(import.meta.dirname, '..'), 'dist');
const outDir = join(distDir, 'viewer', 'assets');
const assets = await buildViewerAssets();
await mkdir(outDir, { recursive: true });
for (const kind of ['js', 'css'] as const) {
  const text = assets[kind];
  await writeFile(join(outDir, ASSET_NAMES[kind]), text);
  const raw = Buffer.byteLength(text);
  const gzip = gzipSync(text, { level: 9 }).length;
  console.log(`${outDir}/${ASSET_NAMES[kind]}: ${raw} B, ${gzip} B gzip`);
}
