// Which hosts a command runs on: targets typed on the command line, or an inventory (-i) with
// an optional --limit pattern. Errors (bad inventory, unmatched pattern) stop before any host.
import { formatIssue } from '../config/errors.js';
import { hostTarget, limitHosts, loadInventory, resolveHosts, type Inventory } from '../inventory/index.js';
import { askHidden } from './prompt.js';
import type { HostTarget } from '../app/request.js';

export interface TargetOptions {
  inventory?: string[];
  limit?: string;
  /** The encrypted secrets file `{ secret: NAME }` references read (default conf/secrets.age). */
  secrets?: string;
  identity?: string;
}

/** Names of the secrets the selected hosts refer to: the secrets file is opened only for them. */
function secretNames(inventory: Inventory, hosts: readonly string[]): Set<string> {
  const scopes = [...inventory.fleet, ...inventory.groups, ...inventory.hosts.filter((h) => hosts.includes(h.name))];
  return new Set(scopes.flatMap((s) => s.vars.flatMap((v) => (v.value.kind === 'secret' ? [v.value.name] : []))));
}

export async function hostsFor(targets: readonly string[], options: TargetOptions, env: NodeJS.ProcessEnv = process.env): Promise<HostTarget[]> {
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
  for (const warning of inventory.warnings) process.stderr.write(`warning: ${formatIssue(warning)}\n`);
  const names = limitHosts(inventory, options.limit);
  const wanted = secretNames(inventory, names);
  // The secrets layer (age and its ciphers) loads only for an inventory that refers to a secret.
  let secrets;
  if (wanted.size > 0) {
    const { openSecrets, secretStoreFor } = await import('../secrets/index.js');
    const file = openSecrets({ ...(options.secrets ? { file: options.secrets } : {}), ...(options.identity ? { identity: options.identity } : {}), env, ...(process.stdin.isTTY ? { askPassphrase: askHidden } : {}) });
    secrets = await secretStoreFor(wanted, file);
  }
  return resolveHosts(inventory, names, { env, unresolved: 'error', ...(secrets ? { secrets } : {}) }).map(hostTarget);
}
