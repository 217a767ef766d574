// Files -> one inventory: names unique across files, every reference to a host or group known,
// no group inside itself. Every problem is collected with its position.
import type { ConfigIssue, SourcePosition } from '../config/index.js';
import { formatPosition } from '../config/origins.js';
import { closestName } from '../config/suggest.js';
import { cycleIssues, indexGroups } from './groups.js';
import type { InventoryPart } from './read-file.js';
import type { InventoryGroup, InventoryHost, Located, Scope } from './types.js';

export interface Assembled {
  fleet: Scope[];
  hosts: InventoryHost[];
  groups: InventoryGroup[];
  errors: ConfigIssue[];
}

export function assemble(files: readonly string[], parts: readonly InventoryPart[]): Assembled {
  const errors: ConfigIssue[] = [];
  const hosts = uniqueByName(parts.flatMap((p) => p.hosts), 'host', errors);
  const groups = uniqueByName(parts.flatMap((p) => p.groups), 'group', errors);
  const hostNames = new Map(hosts.map((h) => [h.name, h]));
  const groupNames = new Map(groups.map((g) => [g.name, g]));

  for (const group of groups) {
    const host = hostNames.get(group.name);
    if (host) {
      errors.push({ ...group.at, variable: `groups.${group.name}`, message: `a host is named ${group.name} too (${formatPosition(host.at)})`, hint: 'rename one: --limit would not know which is meant' });
    }
    for (const ref of group.hosts) {
      if (hostNames.has(ref.value)) continue;
      errors.push(groupNames.has(ref.value)
        ? unknownRef(group, 'hosts', ref, `${ref.value} is a group, not a host`, `list it under children: [${ref.value}]`)
        : unknownRef(group, 'hosts', ref, `no host named ${ref.value}`, didYouMean(ref.value, hostNames.keys(), 'define it under hosts:')));
    }
    for (const ref of group.children) {
      if (groupNames.has(ref.value)) continue;
      errors.push(hostNames.has(ref.value)
        ? unknownRef(group, 'children', ref, `${ref.value} is a host, not a group`, `list it under hosts: [${ref.value}]`)
        : unknownRef(group, 'children', ref, `no group named ${ref.value}`, didYouMean(ref.value, groupNames.keys(), 'define it under groups:')));
    }
  }
  errors.push(...cycleIssues(indexGroups(groups)));
  if (hosts.length === 0) {
    errors.push({ file: files.join(', '), message: 'the inventory defines no hosts', hint: 'add a hosts: map, e.g. hosts: { salon: { address: 192.168.1.20, user: pi } }' });
  }
  return { fleet: parts.map((p) => p.fleet), hosts, groups, errors };
}

/** Keep the first of each name; a later one (in another file) is an error at its position. */
function uniqueByName<T extends { name: string; at: SourcePosition }>(items: readonly T[], what: 'host' | 'group', errors: ConfigIssue[]): T[] {
  const first = new Map<string, T>();
  for (const item of items) {
    const earlier = first.get(item.name);
    if (earlier === undefined) {
      first.set(item.name, item);
      continue;
    }
    errors.push({ ...item.at, variable: `${what}s.${item.name}`, message: `${what} ${item.name} is defined twice`, hint: `also at ${formatPosition(earlier.at)}; keep one of them` });
  }
  return [...first.values()];
}

function unknownRef(group: InventoryGroup, list: 'hosts' | 'children', ref: Located<string>, message: string, hint: string): ConfigIssue {
  const index = (list === 'hosts' ? group.hosts : group.children).indexOf(ref);
  return { ...ref.at, variable: `groups.${group.name}.${list}[${index}]`, message, hint };
}

function didYouMean(name: string, known: Iterable<string>, otherwise: string): string {
  const near = closestName(name, known);
  return near === undefined ? otherwise : `did you mean ${near}?`;
}
