// History for the demo data: on the example's first start, the demo users make a few
// changes through the server's own GraphQL mutations, so that the README's queries (and a
// first look in GraphiQL) find entries written the way an application writes them.
import type { Server } from './server.js';

/** Relay global IDs, as the schema's clients send them. */
const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

/** The changes, in order: who makes them (x-user-id) and the mutation they send. */
export const demoChanges: readonly { userId: number; query: string }[] = [
  {
    userId: 1,
    query: `mutation {
      updateCertificate(id: "${globalId('Certificate', 1)}", input: {
        name: "Annual fire safety inspection 2026"
        items: [{ id: "${globalId('CertificateItem', 1)}", name: "Fire extinguisher", quantity: 4 }, { id: "${globalId('CertificateItem', 2)}", name: "Emergency light", quantity: 14 }]
      }) { id }
    }`,
  },
  {
    userId: 2,
    query: `mutation {
      updateCertificate(id: "${globalId('Certificate', 2)}", input: { status: "active", notes: "Checked on site." }) { id }
    }`,
  },
  {
    userId: 1,
    query: `mutation { archiveCertificates(ids: ["${globalId('Certificate', 3)}"]) { id } }`,
  },
];

/**
 * Sends `demoChanges` through `server` (in process, the full request pipeline). Throws
 * when one of them fails, so that a broken example is seen at start, not in the README.
 */
export async function writeDemoHistory(server: Server): Promise<void> {
  for (const { userId, query } of demoChanges) {
    const response = await server.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': String(userId) },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: { message: string }[] };
    if (response.status !== 200 || body.errors) {
      throw new Error(
        `The demo history could not be written (HTTP ${response.status}): ${JSON.stringify(body.errors ?? body)}`,
      );
    }
  }
}
