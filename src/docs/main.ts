#!/usr/bin/env node
// `npm run docs`: regenerate docs/configuration.md, docs/roles.md and docs/inventory.schema.json.
// `--check` writes nothing and exits 1 when one is stale (for CI and pre-commit hooks).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { generateDocs, staleDocs, writeDocs } from './generate.js';

function main(args: string[]): number {
  const root = packageRoot();
  const docs = generateDocs(root);
  if (args.includes('--check')) {
    const stale = staleDocs(root, docs);
    for (const path of stale) process.stderr.write(`${path} is stale: run npm run docs\n`);
    return stale.length === 0 ? 0 : 1;
  }
  mkdirSync(join(root, 'docs'), { recursive: true });
  const written = writeDocs(root, docs);
  process.stdout.write(written.length === 0 ? 'docs are up to date\n' : written.map((p) => `wrote ${p}\n`).join(''));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`npm run docs: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
