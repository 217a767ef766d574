// --limit over a loaded inventory: the pattern functions need only names and memberships.
import { readFileSync } from 'node:fs';
import { selectHosts, type HostUniverse } from './patterns.js';
import { groupGraph } from './resolve.js';
import type { Inventory } from './types.js';

export function universeOf(inventory: Inventory): HostUniverse {
  const graph = groupGraph(inventory);
  return {
    hosts: inventory.hosts.map((h) => h.name),
    groups: new Map([...inventory.groups.map((g): [string, Iterable<string>] => [g.name, graph.hostsOf(g.name)])]),
  };
}

/** The hosts `--limit PATTERN` selects (every host without one), in inventory order. */
export function limitHosts(inventory: Inventory, pattern: string | undefined, readFile = (path: string) => readFileSync(path, 'utf8')): string[] {
  const universe = universeOf(inventory);
  return pattern === undefined ? [...universe.hosts] : selectHosts(universe, pattern, { readFile });
}

