import { CONFIG_ELEMENT_ID, type ViewerConfig } from './config.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** JSON that is safe inside a `<script>` element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, (char) => (char === '\u2028' ? '\\u2028' : '\\u2029'));

/** The page: an empty shell the bundle fills, with the config as JSON. */
export function renderPage(config: ViewerConfig, base: string, version: string): string {
  const asset = (name: string) => escapeHtml(`${base}/${name}?v=${version}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(config.title)}</title>
<link rel="stylesheet" href="${asset('viewer.css')}">
<script type="application/json" id="${CONFIG_ELEMENT_ID}">${scriptJson(config)}</script>
<script defer src="${asset('viewer.js')}"></script>
</head>
<body>
<div id="app"><noscript>The event log viewer needs JavaScript.</noscript></div>
</body>
</html>
`;
}
