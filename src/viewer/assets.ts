import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ASSET_NAMES, type ViewerAssets } from './build.js';

export interface LoadedAssets extends ViewerAssets {
  /** A hash of both files: their ETag, and the version in their URLs. */
  version: string;
}

/** Where `npm run build` writes the bundle: dist/viewer/assets/, beside the built handler. */
export const assetsDir = fileURLToPath(new URL('./assets/', import.meta.url));

/** Whether this module runs from its TypeScript source (the example, the tests). */
const fromSource = import.meta.url.endsWith('.ts');

let loading: Promise<LoadedAssets> | undefined;

/**
 * The bundle, read once: the built files in a package; bundled in memory with vite when
 * running from source, where there are none.
 */
export function loadAssets(): Promise<LoadedAssets> {
  loading ??= read().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function read(): Promise<LoadedAssets> {
  let assets: ViewerAssets;
  if (fromSource) {
    const { buildViewerAssets } = await import('./build.js');
    assets = await buildViewerAssets();
  } else {
    try {
      const [js, css] = await Promise.all([
        readFile(`${assetsDir}${ASSET_NAMES.js}`, 'utf8'),
        readFile(`${assetsDir}${ASSET_NAMES.css}`, 'utf8'),
      ]);
      assets = { js, css };
    } catch (error) {
      throw new Error(
        `The event log viewer's bundle is missing from ${assetsDir} (${(error as Error).message}); the package was built without it: npm run build writes it.`,
      );
    }
  }
  const version = createHash('sha256')
    .update(assets.js)
    .update(assets.css)
    .digest('hex')
    .slice(0, 12);
  return { ...assets, version };
}
