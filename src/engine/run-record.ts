// The record each run leaves on the Pi (/var/lib/orbis/runs/<id>.json): what it was, what it
// touched, and what undoing it needs that the backups do not hold (the handlers its files notify,
// their validation, the manifest before it, how its result was verified). Built here on the
// controller, written by the run script (script-lib.ts adds seq and status), read back by
// `orbis rollback` (history.ts). Never holds a secret: paths, names, hashes and settings that are
// not keys.
import { z } from '../util/zod.js';
import type { ManifestEntry } from '../facts/probe.js';
import type { Change, Desired } from '../resources/types.js';
import type { HostFacts } from '../facts/types.js';
import type { DesiredState, Handler } from '../roles/desired.js';
import type { VerifyInput } from '../verify/types.js';
import type { Plan } from './plan.js';

export const RECORD_FORMAT = 2;

/** systemctl verbs that change a unit's enablement or state (restart/reload do not): undone by a rollback. */
export const UNIT_STATE_VERBS: readonly string[] = ['enable', 'disable', 'start', 'stop', 'mask', 'unmask'];

/** How a generation was verified: the checks its roles list and what they were checked against. */
export interface RecordedVerify {
  checks: string[];
  input: Omit<VerifyInput, 'secrets'>;
}

const handlerSchema = z.object({
  name: z.string(),
  role: z.string().optional(),
  unit: z.string().optional(),
  action: z.enum(['restart', 'reload', 'start', 'stop']).optional(),
  command: z.string().optional(),
});

const fileSchema = z.object({
  path: z.string(),
  role: z.string(),
  notify: z.array(z.string()).default([]),
  validate: z.string().optional(),
  /** false: the role said `backup: false`, the replaced content is not kept. */
  keep: z.boolean().default(true),
});

const recordSchema = z.object({
  format: z.literal(RECORD_FORMAT),
  seq: z.number().int(),
  status: z.enum(['running', 'applied', 'failed', 'rolled-back']),
  rolledBackBy: z.string().optional(),
  kind: z.enum(['apply', 'rollback']),
  id: z.string(),
  orbis: z.string(),
  time: z.string(),
  controller: z.string(),
  roles: z.array(z.string()).default([]),
  changes: z.array(z.object({ role: z.string(), type: z.string(), name: z.string(), summary: z.string() })).default([]),
  /** Handlers this run set off (names). */
  handlers: z.array(z.string()).default([]),
  /** Every handler its roles define: a rollback runs those its restored files notify. */
  handlerDefs: z.array(handlerSchema).default([]),
  files: z.array(fileSchema).default([]),
  units: z.array(z.string()).default([]),
  manifestBefore: z.record(z.string(), z.object({ sha256: z.string(), role: z.string() })).default({}),
  verify: z.object({ checks: z.array(z.string()), input: z.record(z.string(), z.unknown()) }).optional(),
  /** A rollback: the run it went back to, and the runs it undid (newest first). */
  target: z.string().optional(),
  undid: z.array(z.string()).optional(),
});

export type RunRecord = Omit<z.infer<typeof recordSchema>, 'verify'> & { verify?: RecordedVerify };
export type RecordedFile = z.infer<typeof fileSchema>;
export type RecordedHandler = z.infer<typeof handlerSchema>;

/** A record as the controller sends it: the script adds seq and status. */
export type RecordDraft = Omit<RunRecord, 'seq' | 'status' | 'rolledBackBy'>;

/** A record read back from the host; undefined for an unreadable one or one an older orbis wrote. */
export function parseRecord(text: string): RunRecord | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = recordSchema.safeParse(data);
  // The verify input is orbis's own data, written by the same code that reads it.
  return parsed.success ? (parsed.data as RunRecord) : undefined;
}

/** The files a plan touches (written, removed, downloaded, chmod/chown): each kept before the change. */
export function touchedPaths(changes: readonly Change[]): Array<{ path: string; change: Change }> {
  const seen = new Set<string>();
  const out: Array<{ path: string; change: Change }> = [];
  for (const change of changes) {
    if (change.id.type !== 'file' && change.id.type !== 'download') continue;
    for (const a of change.actions) {
      if (a.op !== 'write-file' && a.op !== 'remove' && a.op !== 'download' && a.op !== 'chmod' && a.op !== 'chown') continue;
      if (seen.has(a.path)) continue;
      seen.add(a.path);
      out.push({ path: a.path, change });
    }
  }
  return out;
}

/** The units whose enablement or state a plan changes. */
export function touchedUnits(changes: readonly Change[]): string[] {
  const units = changes.flatMap((c) => c.actions.flatMap((a) => (a.op === 'systemctl' && UNIT_STATE_VERBS.includes(a.verb) ? [a.unit] : [])));
  return [...new Set(units)];
}

export function recordedHandler(h: Handler): RecordedHandler {
  return { name: h.name, role: h.role, ...(h.unit ? { unit: h.unit } : {}), ...(h.action ? { action: h.action } : {}), ...(h.command ? { command: h.command } : {}) };
}

export interface ApplyRecordInput {
  id: string;
  time: string;
  controller: string;
  orbisVersion: string;
  plan: Plan;
  desired: DesiredState;
  facts: HostFacts;
  verify?: RecordedVerify;
}

/** The record of an applying run, from its plan (pure). */
export function applyRecord(input: ApplyRecordInput): RecordDraft {
  const { plan, desired, facts } = input;
  const resources = new Map<string, Desired>(desired.resources.flatMap((r) => (r.kind === 'file' || r.kind === 'download' ? [[r.path, r] as const] : [])));
  const files: RecordedFile[] = touchedPaths(plan.changes).map(({ path, change }) => {
    const resource = resources.get(path);
    const validate = resource?.kind === 'file' ? resource.validate : undefined;
    const write = change.actions.find((a) => a.op === 'write-file');
    return {
      path,
      role: change.id.role,
      notify: change.notify ?? [],
      ...(validate ? { validate } : {}),
      keep: write?.op === 'write-file' ? write.backup : true,
    };
  });
  const manifestBefore: Record<string, ManifestEntry> = {};
  for (const [path, sha256] of Object.entries(facts.manifest)) manifestBefore[path] = { sha256, role: facts.manifestRoles[path] ?? '' };
  return {
    format: RECORD_FORMAT,
    kind: 'apply',
    id: input.id,
    orbis: input.orbisVersion,
    time: input.time,
    controller: input.controller,
    roles: desired.roles,
    changes: plan.changes.map((c) => ({ role: c.id.role, type: c.id.type, name: c.id.name, summary: c.summary })),
    handlers: plan.handlers.map((h) => h.name),
    handlerDefs: desired.handlers.map(recordedHandler),
    files,
    units: touchedUnits(plan.changes),
    manifestBefore,
    ...(input.verify ? { verify: input.verify } : {}),
  };
}
