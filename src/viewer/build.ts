import { fileURLToPath } from 'node:url';

/** The browser app, as the handler serves it. */
export interface ViewerAssets {
  js: string;
  css: string;
}

export const ASSET_NAMES = { js: 'viewer.js', css: 'viewer.css' } as const;

const appDir = fileURLToPath(new URL('./app/', import.meta.url));

/** Bundles and minifies the browser app (src/viewer/app) with vite, in memory. */
export async function buildViewerAssets(): Promise<ViewerAssets> {
  const { build } = await import('vite');
  const output = await build({
    configFile: false,
    root: appDir,
    logLevel: 'warn',
    publicDir: false,
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      lib: {
        entry: 'main.ts',
        formats: ['iife'],
        name: 'pothosEventLogViewer',
        fileName: () => ASSET_NAMES.js,
        cssFileName: 'viewer',
      },
    },
  });
  const outputs = (Array.isArray(output) ? output : [output]).flatMap((result) =>
    'output' in result ? result.output : [],
  );
  const file = (name: string) => {
    const found = outputs.find((chunk) => chunk.fileName === name);
    if (!found) throw new Error(`The viewer build wrote no ${name}.`);
    return found.type === 'chunk' ? found.code : String(found.source);
  };
  return { js: file(ASSET_NAMES.js), css: file(ASSET_NAMES.css) };
}
