// The group graph: which hosts a group holds (through its children too), cycles, and the order
// group vars apply in for a host (DESIGN.md: a parent before its children; otherwise the order
// the groups are written in).
import type { ConfigIssue } from '../config/index.js';
import type { InventoryGroup, Located } from './types.js';

/** Groups by name; every child reference is known to exist (assemble.ts checked). */
export type GroupIndex = ReadonlyMap<string, InventoryGroup>;

export function indexGroups(groups: readonly InventoryGroup[]): GroupIndex {
  return new Map(groups.map((g) => [g.name, g]));
}

/** One issue per cycle, at the child reference that closes it. */
export function cycleIssues(groups: GroupIndex): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const child of groups.get(name)?.children ?? []) {
      const seen = state.get(child.value);
      if (seen === 'visiting') issues.push(cycleIssue(stack.slice(stack.indexOf(child.value)), child));
      else if (seen === undefined && groups.has(child.value)) visit(child.value);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of groups.keys()) if (!state.has(name)) visit(name);
  return issues;
}

function cycleIssue(path: readonly string[], closing: Located<string>): ConfigIssue {
  return {
    ...closing.at,
    variable: `groups.${path[path.length - 1] ?? ''}.children`,
    message: `groups contain each other: ${[...path, closing.value].join(' -> ')}`,
    hint: `remove ${closing.value} from these children, or list the hosts of one group in the other`,
  };
}

/**
 * Each group's depth: the longest chain of parents above it (0 for a group nobody lists). A
 * child is always deeper than every parent, so sorting by depth puts parents first. Needs an
 * acyclic graph.
 */
export function groupDepths(groups: GroupIndex): Map<string, number> {
  const depth = new Map<string, number>([...groups.keys()].map((n) => [n, 0]));
  // Relax edges as often as there are groups: longest paths in a DAG, without recursion.
  for (let round = 0; round < groups.size; round++) {
    let changed = false;
    for (const group of groups.values()) {
      const d = depth.get(group.name) ?? 0;
      for (const child of group.children) {
        if ((depth.get(child.value) ?? 0) < d + 1) {
          depth.set(child.value, d + 1);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return depth;
}

/** Every host of a group, its children's included, each once. */
export function hostsOfGroup(groups: GroupIndex, name: string): Set<string> {
  const hosts = new Set<string>();
  const seen = new Set<string>();
  const visit = (group: string): void => {
    if (seen.has(group)) return;
    seen.add(group);
    const g = groups.get(group);
    for (const h of g?.hosts ?? []) hosts.add(h.value);
    for (const c of g?.children ?? []) visit(c.value);
  };
  visit(name);
  return hosts;
}

/** Membership and precedence, computed once per inventory (needs an acyclic graph). */
export class GroupGraph {
  readonly #groups: GroupIndex;
  readonly #depth: Map<string, number>;
  readonly #members: Map<string, Set<string>>;

  constructor(groups: GroupIndex) {
    this.#groups = groups;
    this.#depth = groupDepths(groups);
    this.#members = new Map([...groups.keys()].map((name) => [name, hostsOfGroup(groups, name)]));
  }

  /** Every host of the group, through its children too. */
  hostsOf(group: string): ReadonlySet<string> {
    return this.#members.get(group) ?? new Set();
  }

  /**
   * The groups a host belongs to (directly or through a child group), in the order their vars
   * apply: by depth (a parent before its children), then in the order the groups are written.
   */
  groupsOf(host: string): string[] {
    const written = [...this.#groups.keys()];
    const depth = (name: string): number => this.#depth.get(name) ?? 0;
    return written
      .filter((name) => this.hostsOf(name).has(host))
      .sort((a, b) => depth(a) - depth(b) || written.indexOf(a) - written.indexOf(b));
  }
}
