// What the database audits in the example: one declaration, read by the plugin (builder.ts)
// and by the migration generator (npm run migrate:capture).
import { defineEventLogCapture } from '../src/capture/index.js';

export const capture = defineEventLogCapture({
  models: {
    Certificate: { tool: 'certificate', fold: ['items'] },
    User: { tool: 'user' },
  },
});
