// What a command reports per host, and the whole run's summary: the `--json` shape
// (../shared/DESIGN.md: hosts[].name, status, changes[], verify[], roundTrips; summary) and the
// source of the terminal recap. Plain data; every string in it has been masked already.

import type { OnAirEffect } from '../roles/off-air.js';

/**
 * DESIGN.md's statuses, and `auth-failed`: the host answered but refused the login (a wrong user,
 * a wrong key, no key), which is not `unreachable` and has its own fix.
 */
export type HostStatus = 'ok' | 'changed' | 'drift' | 'failed' | 'unreachable' | 'auth-failed' | 'skipped';

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

/**
 * A host put back on an earlier generation: by `orbis rollback`, or by `apply --rollback-on-fail`
 * after it failed (the host still counts as failed then; this says how the rollback went).
 */
export interface RollbackOutcome {
  /**
   * rolled-back: the files are back; planned: what `--check` would do; current: the host is on the
   * generation asked for already; failed: the rollback itself failed; unavailable: nothing to go back to.
   */
  status: 'rolled-back' | 'planned' | 'current' | 'failed' | 'unavailable';
  /** The run (generation) the host was put back on. */
  to?: { id: string; time: string };
  /** The runs undone, newest first. */
  undone: string[];
  /** After a failed apply: what the rollback did (`orbis rollback` reports these as the host's own). */
  changes?: ReportedChange[];
  handlers?: string[];
  verify?: VerifyResult[];
  /** true: every check passed after the rollback; false: one failed; absent: not verified. */
  verified?: boolean;
  error?: HostError;
}

/** One generation a host keeps (`orbis rollback --list`). */
export interface ReportedGeneration {
  id: string;
  time: string;
  status: string;
  controller: string;
  orbis: string;
  files: number;
  units: number;
  current: boolean;
  restorable: boolean;
  why?: string;
}

/** The key a first contact put into the login user's authorized_keys. */
export interface AccessKey {
  fingerprint: string;
  type: string;
  /** The key file it came from, or `ssh-agent`. */
  source: string;
  /** false: it was there already. */
  added: boolean;
}

/** What became of a change made under the access guard (a `confirmAccess` role, e.g. ssh). */
export interface AccessGuardReport {
  /** confirmed over a new connection; rolled-back by the host itself; unconfirmed: orbis could not tell. */
  outcome: 'confirmed' | 'rolled-back' | 'unconfirmed';
  roles: string[];
  deadlineSec: number;
  /** Seconds from arming to the confirming login, or to the host's own rollback. */
  afterSec?: number;
  /** Logins tried over new connections. */
  attempts: number;
  message: string;
}

/** How orbis got in, and what it did about it: `hosts[].access`. */
export interface HostAccess {
  /** How the first connection logged in (`password`: a first contact, `--ask-pass`). */
  login: 'key' | 'password';
  key?: AccessKey;
  guard?: AccessGuardReport;
}

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
  rollback?: RollbackOutcome;
  generations?: ReportedGeneration[];
  access?: HostAccess;
  /** What the run does to the channel on air (src/roles/off-air.ts): for a run with changes. */
  onAir?: OnAirEffect;
}

export interface RunReport {
  command: string;
  mode: 'apply' | 'check';
  orbisVersion: string;
  hosts: HostReport[];
  summary: Record<HostStatus, number> & { hosts: number; changes: number; durationMs: number; rolledBack: number };
  /** A rollout that stopped early says why (the skipped hosts are in `hosts`). */
  stoppedBecause?: string;
}

export function summarize(hosts: HostReport[], durationMs: number): RunReport['summary'] {
  const summary = { ok: 0, changed: 0, drift: 0, failed: 0, unreachable: 0, 'auth-failed': 0, skipped: 0, hosts: hosts.length, changes: 0, durationMs, rolledBack: 0 };
  for (const h of hosts) {
    summary[h.status] += 1;
    summary.changes += h.changes.length;
    if (h.rollback?.status === 'rolled-back') summary.rolledBack += 1;
  }
  return summary;
}

/** 1 when a host failed, was unreachable or refused the login (wins), 2 when changes are pending or drift, else 0. */
export function exitCodeOf(report: RunReport): number {
  const s = report.summary;
  if (s.failed > 0 || s.unreachable > 0 || s['auth-failed'] > 0) return 1;
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
