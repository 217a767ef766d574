// Which hosts a command runs on: targets typed on the command line, or an inventory (-i) with
// an optional --limit pattern. Errors (bad inventory, unmatched pattern) stop before any host.
import { hostTarget, limitHosts, loadInventory, resolveHosts } from '../inventory/index.js';
import type { HostTarget } from './session.js';

export interface TargetOptions {
  inventory?: string[];
  limit?: string;
}

export function hostsFor(targets: readonly string[], options: TargetOptions, env: NodeJS.ProcessEnv = process.env): HostTarget[] {
  const inventories = options.inventory ?? [];
  if (inventories.length > 0 && targets.length > 0) {
    throw new Error('give hosts either as arguments or with -i INVENTORY, not both (use --limit to pick hosts of an inventory)');
  }
  if (inventories.length === 0) {
    if (options.limit !== undefined) throw new Error('--limit selects hosts of an inventory: add -i INVENTORY');
    if (targets.length === 0) throw new Error('no host given: name one ([user@]host[:port]) or use -i INVENTORY');
    return targets.map((t) => ({ name: t, target: t }));
  }
  const inventory = loadInventory(inventories);
  for (const warning of inventory.warnings) {
    const where = warning.file ? `${warning.file}:${warning.line ?? ''}:${warning.col ?? ''}: ` : '';
    process.stderr.write(`warning: ${where}${warning.message}${warning.hint ? ` (hint: ${warning.hint})` : ''}\n`);
  }
  const names = limitHosts(inventory, options.limit);
  return resolveHosts(inventory, names, { env, unresolved: 'error' }).map(hostTarget);
}
