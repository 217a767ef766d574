// What a command reports per host, and the whole run's summary: the `--json` shape
// (../shared/DESIGN.md: hosts[].name, status, changes[], verify[], roundTrips; summary) and the
// source of the terminal recap. Plain data; every string in it has been masked already.

export type HostStatus = 'ok' | 'changed' | 'drift' | 'failed' | 'unreachable' | 'skipped';

export interface ReportedChange {
  role: string;
  type: string;
  name: string;
  summary: string;
  /** planned: --check / check; applied: done; failed: where the run stopped; not-run: after it. */
  status: 'planned' | 'applied' | 'failed' | 'not-run';
  diff?: string;
  assumptions?: string[];
}

export interface VerifyResult {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  value?: string;
  hint?: string;
}

export interface HostError {
  message: string;
  role?: string;
  resource?: string;
  hint?: string;
}

/**
 * Where a host's time went, in ms: the phases do not overlap and add up to about durationMs.
 * apt and handlers are steps of the apply script, timed on the host; apply is the rest of its
 * round trip. A phase that did not happen is 0.
 */
export interface PhaseTimes {
  connect: number;
  facts: number;
  plan: number;
  apt: number;
  apply: number;
  handlers: number;
  verify: number;
}

export const NO_PHASES: Readonly<PhaseTimes> = { connect: 0, facts: 0, plan: 0, apt: 0, apply: 0, handlers: 0, verify: 0 };

export interface HostReport {
  name: string;
  status: HostStatus;
  changes: ReportedChange[];
  handlers: string[];
  verify: VerifyResult[];
  error?: HostError;
  roundTrips: number;
  connections: number;
  durationMs: number;
  /** Per-phase times, for hosts the run reached. */
  phasesMs?: PhaseTimes;
  facts?: { os: string; arch: string; piModel: string | null };
}

export interface RunReport {
  command: string;
  mode: 'apply' | 'check';
  orbisVersion: string;
  hosts: HostReport[];
  summary: Record<HostStatus, number> & { hosts: number; changes: number; durationMs: number };
  /** A rollout that stopped early says why (the skipped hosts are in `hosts`). */
  stoppedBecause?: string;
}

export function summarize(hosts: HostReport[], durationMs: number): RunReport['summary'] {
  const summary = { ok: 0, changed: 0, drift: 0, failed: 0, unreachable: 0, skipped: 0, hosts: hosts.length, changes: 0, durationMs };
  for (const h of hosts) {
    summary[h.status] += 1;
    summary.changes += h.changes.length;
  }
  return summary;
}

/** 1 when a host failed or was unreachable (wins), 2 when changes are pending or drift, else 0. */
export function exitCodeOf(report: RunReport): number {
  const s = report.summary;
  if (s.failed > 0 || s.unreachable > 0) return 1;
  if (report.mode === 'check' && (s.drift > 0 || s.changed > 0)) return 2;
  return 0;
}

/**
 * An error as a host report shows it: message and hint apart (a TransportError's message ends
 * with its hint, so that the hint is not printed twice).
 */
export function hostErrorOf(error: unknown): HostError {
  const hinted = (error as { hint?: unknown } | null)?.hint;
  const hint = typeof hinted === 'string' ? hinted : undefined;
  const raw = error instanceof Error ? error.message : String(error);
  const message = hint && raw.endsWith(`\n${hint}`) ? raw.slice(0, -hint.length - 1) : raw;
  return { message, ...(hint ? { hint } : {}) };
}
