// From the per-resource Changes (kept for reporting) to the action list the apply script runs.
//
// - All apt-installs become ONE apt call, at the place of the first one: dpkg's lock, apt's
//   dependency resolution and the package download then happen once. Not at the very front of the
//   plan: a role may write an apt source or a debconf preseed before its first package, and that
//   order is kept. A resource that must come before a package install must come before every
//   package of the plan.
// - All apt-removes likewise become one call at the place of the first.
// - daemon-reloads collapse: one before each run of systemctl steps that follows unit-file writes,
//   and one at the end if unit files changed after the last systemctl step.
// Changes that cannot be planned contribute nothing (the engine fails the host before applying).
import type { Action, Change } from './types.js';

export function batchActions(changes: readonly Change[]): Action[] {
  const flat = changes.filter((change) => change.error === undefined).flatMap((change) => change.actions);
  return collapseDaemonReloads(mergePackageOps(flat));
}

function mergePackageOps(actions: Action[]): Action[] {
  const install = mergedPackages(actions, 'apt-install');
  const remove = mergedPackages(actions, 'apt-remove');
  const out: Action[] = [];
  for (const action of actions) {
    if (action.op === 'apt-install' || action.op === 'apt-remove') {
      const merged = action.op === 'apt-install' ? install : remove;
      if (!out.some((a) => a.op === action.op)) out.push({ op: action.op, packages: merged });
      continue;
    }
    out.push(action);
  }
  return out;
}

/** Package specs of one kind, in first-seen order, one per package; a pinned `name=V` wins. */
function mergedPackages(actions: Action[], op: 'apt-install' | 'apt-remove'): string[] {
  const byName = new Map<string, string>();
  for (const action of actions) {
    if (action.op !== op) continue;
    for (const spec of action.packages) {
      const name = spec.split('=')[0] ?? spec;
      const seen = byName.get(name);
      if (seen === undefined || (!seen.includes('=') && spec.includes('='))) byName.set(name, spec);
    }
  }
  return [...byName.values()];
}

function collapseDaemonReloads(actions: Action[]): Action[] {
  const out: Action[] = [];
  actions.forEach((action, index) => {
    if (action.op === 'daemon-reload') {
      const rest = actions.slice(index + 1);
      const nextSystemctl = rest.findIndex((a) => a.op === 'systemctl');
      const nextReload = rest.findIndex((a) => a.op === 'daemon-reload');
      // A later reload that still comes before the next systemctl step does this one's job.
      if (nextReload !== -1 && (nextSystemctl === -1 || nextReload < nextSystemctl)) return;
    }
    out.push(action);
  });
  return out;
}
