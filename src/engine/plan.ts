// The plan: desired state + facts -> the list of changes, the handlers they set off, and the
// manifest orbis will own afterwards. Pure; `orbis provision --check` prints it, `orbis check`
// reports it as drift, apply turns it into one script (apply-script.ts).
import { createHash } from 'node:crypto';
import type { ManifestEntry, ProbeSpec } from '../facts/probe.js';
import { emptyPlanContext, planAll } from '../resources/index.js';
import type { Change, Desired } from '../resources/types.js';
import type { HostFacts } from '../facts/types.js';
import type { DesiredState, Handler } from '../roles/desired.js';

export interface Plan {
  changes: Change[];
  /** Handlers to run after the changes, in declaration order (notified now or left pending). */
  handlers: Handler[];
  /** Handlers an earlier run recorded and did not finish. */
  pendingFromEarlier: string[];
  /** What orbis owns once the plan is applied: path -> sha256 it wrote and the role that owns it. */
  manifest: Record<string, ManifestEntry>;
  /** Change is needed (resources, stale files or pending handlers). */
  empty: boolean;
  /** Roles whose changes run while apt installs this run's packages (see `rolesDuringApt`). */
  duringApt?: string[];
}

/** A package action: batched into the apply script's one apt step. */
export const isAptAction = (a: Change['actions'][number]): boolean => a.op === 'apt-install' || a.op === 'apt-remove';

/**
 * The `runsDuringApt` roles that can run while apt works in this run: none of their own packages,
 * nor those of the roles they depend on, is among what apt installs or removes now.
 */
export function rolesDuringApt(desired: DesiredState, changes: readonly Change[]): string[] {
  const aptRoles = new Set(changes.filter((c) => c.actions.some(isAptAction)).map((c) => c.id.role));
  if (aptRoles.size === 0) return [];
  return (desired.duringApt ?? []).filter((r) => !aptRoles.has(r.role) && !r.dependsOn.some((d) => aptRoles.has(d))).map((r) => r.role);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Everything the facts probe must look at for this desired state. */
export function probeSpecFor(desired: Desired[], handlers: Handler[]): ProbeSpec {
  const spec: ProbeSpec = { packages: [], units: [], paths: [], users: [], groups: [], guards: [] };
  const owners = (owner: string, group: string): void => {
    spec.users.push(owner);
    spec.groups.push(group);
  };
  for (const r of desired) {
    switch (r.kind) {
      case 'package':
        spec.packages.push(r.name);
        break;
      case 'service':
        spec.units.push(r.unit);
        if (r.providedBy) spec.packages.push(r.providedBy);
        break;
      case 'file':
      case 'directory':
      case 'download':
        spec.paths.push(r.path);
        owners(r.owner, r.group);
        break;
      case 'link':
        spec.paths.push(r.path);
        break;
      case 'user':
        spec.users.push(r.name);
        spec.groups.push(...(r.groups ?? []));
        break;
      case 'group':
        spec.groups.push(r.name);
        break;
      case 'command':
        if (r.creates) spec.paths.push(r.creates);
        if (r.unless) spec.guards.push(r.unless);
        if (r.user) spec.users.push(r.user);
        break;
      case 'precondition':
        spec.guards.push(r.check);
        break;
    }
  }
  for (const h of handlers) if (h.unit) spec.units.push(h.unit);
  const uniq = (xs: string[]): string[] => [...new Set(xs)];
  return {
    packages: uniq(spec.packages),
    units: uniq(spec.units),
    paths: uniq(spec.paths),
    users: uniq(spec.users),
    groups: uniq(spec.groups),
    guards: uniq(spec.guards),
  };
}

/** Stands for the installed file's sha256 until the apply script measures it on the Pi. */
export const INSTALLED_HASH_MEASURED_ON_RECORD = 'measured-on-record';

/**
 * The manifest after this run: what these roles render now, plus what roles outside this run
 * (`--roles` picks a subset) wrote earlier, untouched.
 */
export function manifestFor(desired: DesiredState, facts: HostFacts): Record<string, ManifestEntry> {
  const manifest: Record<string, ManifestEntry> = {};
  const inRun = new Set(desired.roles);
  for (const [path, hash] of Object.entries(facts.manifest)) {
    const role = facts.manifestRoles[path] ?? '';
    const installed = facts.manifestInstalled[path];
    if (!inRun.has(role)) manifest[path] = installed === undefined ? { sha256: hash, role } : { sha256: hash, role, installed };
  }
  for (const r of desired.resources) {
    if (r.kind === 'file') manifest[r.path] = { sha256: sha256(r.content), role: r.id.role };
    if (r.kind === 'download') {
      // An extracted member's own hash is only known on the Pi once installed: the apply script
      // measures it when it records the manifest (see apply-script.ts).
      manifest[r.path] = r.extract === undefined ? { sha256: r.sha256, role: r.id.role } : { sha256: r.sha256, role: r.id.role, installed: INSTALLED_HASH_MEASURED_ON_RECORD };
    }
  }
  return manifest;
}

/**
 * Files orbis wrote on an earlier run that the roles of this run no longer render: removed (and
 * backed up, as a replaced file is), unless edited by hand since orbis wrote them (the host's
 * hash is not the one orbis recorded): such a file is someone's now, kept and no longer managed
 * (the run's new manifest leaves it out), and the plan says so.
 */
function staleFileChanges(facts: HostFacts, next: Record<string, ManifestEntry>): Change[] {
  return Object.keys(facts.manifest)
    .filter((path) => !(path in next))
    .sort()
    .map((path) => {
      const id = { role: facts.manifestRoles[path] || 'orbis', type: 'file' as const, name: path };
      const now = facts.paths[path];
      const written = facts.manifestInstalled[path] ?? facts.manifest[path];
      if (now?.exists && now.type === 'file' && now.sha256 !== undefined && now.sha256 !== written) {
        return { id, summary: 'stale file edited by hand since orbis wrote it: kept, and no longer managed by orbis', actions: [] };
      }
      return { id, summary: 'remove stale file (no longer rendered by any role; backed up first)', actions: [{ op: 'remove' as const, path }] };
    });
}

/**
 * Why a managed file differs: edited on the host since orbis wrote it (its hash is no longer the
 * one in the manifest), or the configuration changed (the host still holds what orbis wrote).
 */
function fileOrigin(change: Change, facts: HostFacts): string | undefined {
  if (change.id.type !== 'file' || !change.actions.some((a) => a.op === 'write-file')) return undefined;
  const written = facts.manifest[change.id.name];
  const current = facts.paths[change.id.name];
  if (written === undefined || !current?.exists) return undefined;
  if (current.sha256 === written) return 'the configuration changed';
  return 'edited on the host since orbis wrote it';
}

/**
 * Roles of this run whose files an earlier run wrote but never validated as a whole (it was cut
 * between the rename and, e.g., `nginx -t`): validate them again first, before anything else.
 */
function revalidations(desired: DesiredState, facts: HostFacts): Change[] {
  return desired.roles
    .filter((role) => (facts.unvalidated[role] ?? []).length > 0)
    .map((role) => {
      const written = facts.unvalidated[role] ?? [];
      const commands = [
        ...new Set(desired.resources.flatMap((r) => (r.kind === 'file' && r.id.role === role && r.validate && !r.validate.includes('%s') ? [r.validate] : []))),
      ];
      const runs = [...new Set(written.map((w) => w.runId))].join(', ');
      return {
        id: { role, type: 'validation' as const, name: commands.join(' && ') || role },
        summary: `validate again ${written.length} file${written.length === 1 ? '' : 's'} run ${runs} wrote and never validated (it was cut); put the previous ones back if they fail`,
        actions: [{ op: 'revalidate' as const, role, commands }],
      };
    });
}

export function makePlan(desired: DesiredState, facts: HostFacts): Plan {
  const context = desired.secrets ? { ...emptyPlanContext(), secrets: desired.secrets } : emptyPlanContext();
  const changes = planAll(desired.resources, facts, context)
    .filter((c) => c.actions.length > 0 || c.error !== undefined)
    .map((c) => {
      const origin = fileOrigin(c, facts);
      return origin ? { ...c, summary: `${c.summary}; ${origin}` } : c;
    });
  const manifest = manifestFor(desired, facts);
  changes.push(...staleFileChanges(facts, manifest));
  changes.unshift(...revalidations(desired, facts));

  const notified = new Set<string>();
  for (const c of changes) for (const n of c.notify ?? []) notified.add(n);
  const known = new Set(desired.handlers.map((h) => h.name));
  const pendingFromEarlier = facts.pendingHandlers.filter((h) => known.has(h));
  for (const h of pendingFromEarlier) notified.add(h);
  const handlers = desired.handlers.filter((h) => notified.has(h.name));

  const duringApt = rolesDuringApt(desired, changes);
  return {
    changes,
    handlers,
    pendingFromEarlier,
    manifest,
    empty: changes.length === 0 && handlers.length === 0,
    ...(duringApt.length > 0 ? { duringApt } : {}),
  };
}
