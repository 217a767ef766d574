// Shared by the inventory tests: load inventories from text, catch their errors.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigError } from '../../../src/config/errors.js';
import { loadInventory, type Inventory } from '../../../src/inventory/index.js';
import { configErrorOf } from '../config/helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..', '..');
export const fixture = (name: string): string => join(repoRoot, 'test', 'fixtures', 'inventory', name);

/** Files by name -> text, loaded in the order given, none of them tracked by git. */
export function inventoryOf(files: Record<string, string>): Inventory {
  return loadInventory(Object.keys(files), { readText: (file) => textOf(files, file), isTracked: () => false });
}

export function inventoryErrorOf(files: Record<string, string>): ConfigError {
  return configErrorOf(() => inventoryOf(files));
}

/** The one issue of a failed load, as `file:line:col: variable: message (hint: ...)`. */
export function onlyIssue(files: Record<string, string>): string {
  const error = inventoryErrorOf(files);
  if (error.issues.length !== 1) throw new Error(`expected one issue, got:\n${error.message}`);
  return error.message;
}

function textOf(files: Record<string, string>, file: string): string {
  const text = files[file];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return text;
}
