// The generated documents and where they go. `npm run docs` writes them; the unit test
// test/unit/docs/generated.test.ts regenerates them in memory and fails when a checked-in copy
// differs, so a change to settings, roles, templates or the inventory schema cannot leave them stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { roleSourceAt } from '../roles/load.js';
import { ORBIS_VERSION } from '../version.js';
import { configurationReference } from './configuration.js';
import { inventorySchemaText } from './inventory-schema.js';
import { rolesReference } from './roles.js';
import { allRoles, analyseUsage } from './usage.js';

export interface GeneratedDoc {
  /** Relative to the package root. */
  path: string;
  content: string;
}

/** Every generated document, from the sources under `root` (the package, or a copy in a test). */
export function generateDocs(root: string): GeneratedDoc[] {
  const usage = analyseUsage(allRoles([roleSourceAt(root)], ORBIS_VERSION));
  return [
    { path: 'docs/configuration.md', content: configurationReference(usage) },
    { path: 'docs/roles.md', content: rolesReference(usage) },
    { path: 'docs/inventory.schema.json', content: inventorySchemaText() },
  ];
}

function readOrEmpty(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The documents whose checked-in copy under `root` differs from what the sources give now. */
export function staleDocs(root: string, docs: GeneratedDoc[] = generateDocs(root)): string[] {
  return docs.filter((doc) => readOrEmpty(join(root, doc.path)) !== doc.content).map((doc) => doc.path);
}

/** Write the documents that changed; returns their paths. */
export function writeDocs(root: string, docs: GeneratedDoc[] = generateDocs(root)): string[] {
  const stale = staleDocs(root, docs);
  for (const doc of docs) if (stale.includes(doc.path)) writeFileSync(join(root, doc.path), doc.content);
  return stale;
}
