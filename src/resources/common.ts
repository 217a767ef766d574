// Small pieces every plan function needs: hashing, mode and ownership drift, whether an owner will
// exist when the step runs, and how systemd unit files are recognised. Pure.
import { createHash } from 'node:crypto';
import type { Action, Change, PlanContext, ResourceId } from './types.js';
import type { HostFacts, PathFact } from '../facts/types.js';

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** First 8 hex digits: enough to tell two versions of a file apart in a summary line. */
export function shortHash(hash: string | undefined): string {
  return hash === undefined ? 'unknown' : hash.slice(0, 8);
}

/**
 * '644', '0644' and '00644' are one mode: `stat -c %a` drops the leading zero, role files keep it.
 * Anything that is not 3-4 octal digits is returned as written, so it never compares equal by
 * accident (the role schema is where a bad mode gets its error).
 */
export function normalizeMode(mode: string): string {
  const trimmed = mode.trim().replace(/^0+(?=[0-7]{3,4}$)/, '');
  return /^[0-7]{3,4}$/.test(trimmed) ? trimmed.padStart(4, '0') : mode;
}

export interface Attributes {
  mode: string;
  owner: string;
  group: string;
}

/** chmod/chown actions that bring an existing path's mode and ownership to the wanted ones. */
export function attributeDrift(path: string, fact: PathFact, wanted: Attributes): { actions: Action[]; notes: string[] } {
  const actions: Action[] = [];
  const notes: string[] = [];
  const mode = normalizeMode(wanted.mode);
  const currentMode = fact.mode === undefined ? undefined : normalizeMode(fact.mode);
  if (currentMode !== mode) {
    actions.push({ op: 'chmod', path, mode });
    notes.push(`mode ${currentMode ?? 'unknown'} -> ${mode}`);
  }
  if (fact.owner !== wanted.owner || fact.group !== wanted.group) {
    actions.push({ op: 'chown', path, owner: wanted.owner, group: wanted.group });
    notes.push(`owner ${fact.owner ?? '?'}:${fact.group ?? '?'} -> ${wanted.owner}:${wanted.group}`);
  }
  return { actions, notes };
}

/** What a plan function learns about a user or group it needs: fine, assumed, or impossible. */
export interface Readiness {
  assumptions: string[];
  errors: string[];
}

// Always there on Debian, and the probe may not have been asked about them.
const ALWAYS_PRESENT = new Set(['root']);

/**
 * Whether a user or group a step needs will exist when the step runs. An earlier user/group
 * resource is a safe assumption. A package installed earlier in the same plan may create it too
 * (stunnel4 creates `stunnel4`, nginx uses `www-data`): check mode cannot know, so it assumes so
 * rather than failing (Chef why-run) and apply tells the truth. With nothing that could create it,
 * the plan cannot work and says so.
 */
export function principalReadiness(
  kind: 'user' | 'group',
  names: Iterable<string>,
  facts: HostFacts,
  context: PlanContext,
): Readiness {
  const readiness: Readiness = { assumptions: [], errors: [] };
  const present = kind === 'user' ? facts.users : facts.groups;
  const planned = kind === 'user' ? context.usersToCreate : context.groupsToCreate;
  for (const name of new Set(names)) {
    if (ALWAYS_PRESENT.has(name) || present[name] !== undefined) continue;
    if (planned.has(name)) {
      readiness.assumptions.push(`assumes ${kind} ${name} is created by an earlier resource`);
    } else if (context.packagesToInstall.size > 0) {
      const packages = [...context.packagesToInstall].join(', ');
      readiness.assumptions.push(`assumes ${kind} ${name} is created by a package installed earlier (${packages})`);
    } else {
      readiness.errors.push(
        `${kind} ${name} does not exist on the host and no earlier resource creates it: ` +
          `add a ${kind} resource (or the package that creates it) before this one`,
      );
    }
  }
  return readiness;
}

export function ownerReadiness(wanted: { owner: string; group: string }, facts: HostFacts, context: PlanContext): Readiness {
  const users = principalReadiness('user', [wanted.owner], facts, context);
  const groups = principalReadiness('group', [wanted.group], facts, context);
  return { assumptions: [...users.assumptions, ...groups.assumptions], errors: [...users.errors, ...groups.errors] };
}

export const UNIT_DIRECTORIES = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

const UNIT_SUFFIX = /\.(service|socket|timer|path|mount|automount|swap|target|slice|scope)$/;

/**
 * A path systemd reads unit definitions from: a unit file, or a drop-in (`foo.service.d/x.conf`).
 * Writing one needs a `daemon-reload` before systemctl sees it.
 */
export function isSystemdUnitPath(path: string): boolean {
  const dir = UNIT_DIRECTORIES.find((d) => path.startsWith(`${d}/`));
  if (dir === undefined) return false;
  const rest = path.slice(dir.length + 1);
  return UNIT_SUFFIX.test(rest) || /\.d\/[^/]+\.conf$/.test(rest);
}

/** The unit files that define `unit`: its own name, and for `name@instance` the template. */
export function unitFileCandidates(unit: string): string[] {
  const names = [unit];
  const template = /^([^@]+)@[^.]+(\.[a-z]+)$/.exec(unit);
  if (template) names.push(`${template[1]}@${template[2]}`);
  return UNIT_DIRECTORIES.flatMap((dir) => names.map((name) => `${dir}/${name}`));
}

export function describePath(fact: PathFact): string {
  if (fact.type === 'link') return `a symlink (-> ${fact.linkTarget ?? '?'})`;
  if (fact.type === 'directory') return 'a directory';
  if (fact.type === 'file') return 'a regular file';
  return 'a special file (socket, fifo or device)';
}

export function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** A change of `desired`; assumptions only when there are some, so in-sync output stays small. */
export function changeOf(
  desired: { id: ResourceId },
  summary: string,
  actions: Action[],
  extra: { diff?: string; assumptions?: string[] } = {},
): Change {
  const change: Change = { id: desired.id, summary, actions };
  if (extra.diff !== undefined) change.diff = extra.diff;
  if (extra.assumptions !== undefined && extra.assumptions.length > 0) change.assumptions = extra.assumptions;
  return change;
}

/** A resource that cannot be planned: no actions, and an error naming what to do. */
export function cannotPlan(desired: { id: ResourceId }, errors: string | string[]): Change {
  const error = typeof errors === 'string' ? errors : errors.join('; ');
  return { id: desired.id, summary: 'cannot be planned', actions: [], error };
}
