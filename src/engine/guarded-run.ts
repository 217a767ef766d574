// A host's run when some of its roles can lock orbis out (`confirmAccess`, e.g. sshd hardening):
// one facts round trip and one plan as usual; then, only if those roles have something to change,
// they are applied FIRST and ALONE under the access guard (access-guard.ts), confirmed over a new
// connection, and only then is the rest applied, over that new connection. When nothing in them
// changes, this is exactly `runHost`: no extra round trip on a converged host.
import { HostKeyError } from '../transport/errors.js';
import { execChecked } from '../transport/checked.js';
import type { Transport } from '../transport/types.js';
import { hostErrorOf, type AccessGuardReport } from '../report/result.js';
import type { HostFacts } from '../facts/types.js';
import type { DesiredState } from '../roles/desired.js';
import {
  buildArmScript,
  buildConfirmScript,
  guardedPaths,
  parseArmAnswer,
  parseConfirmAnswer,
  restoreCommands,
  type ConfirmAnswer,
  type GuardSpec,
} from './access-guard.js';
import { makePlan } from './plan.js';
import { applyPlanned, blockedBy, collectFactsAndPlan, newRunId, type HostRun, type RunOptions } from './run.js';

export interface AccessGuardOptions {
  /** SSH_DELAI_CONFIRMATION: seconds from arming until the host undoes the change itself. */
  deadlineSec: number;
  /** Open a NEW connection to the host, by key only; rejects when it cannot log in. */
  reconnect: (readyTimeoutMs: number) => Promise<Transport>;
  progress?: (message: string) => void;
  /** Pause between two attempts to log in again; default 2 s. */
  retryIntervalMs?: number;
  /** How long past the deadline to wait before looking at the host's rollback; default max(5 s, deadline / 10). */
  graceMs?: number;
}

/** What happened to a guarded change: `hosts[].access.guard` in the report. */
export type AccessOutcome = AccessGuardReport;

export interface GuardedRun {
  /** One run, or two: the guarded roles, then the others. */
  phases: HostRun[];
  /** The connection to go on with: the confirming one after a guarded change. */
  transport: Transport;
  /** Round trips and connections of the connections closed on the way. */
  spent: { roundTrips: number; connections: number };
  access?: AccessOutcome;
}

type Planned = Omit<HostRun, 'events' | 'failure'>;

/** The part of a planned run that belongs (or not) to some roles, planned again on its own. */
function partOf(planned: Planned, roles: ReadonlySet<string>, inside: boolean, facts: HostFacts): Planned {
  const keep = (role: string): boolean => roles.has(role) === inside;
  const desired: DesiredState = {
    ...planned.desired,
    roles: planned.desired.roles.filter(keep),
    resources: planned.desired.resources.filter((r) => keep(r.id.role)),
    handlers: planned.desired.handlers.filter((h) => keep(h.role)),
    verify: planned.desired.verify.filter((v) => keep(v.role)),
  };
  // The facts and the plan were made once, for the whole run: their time goes with the first part.
  const timesMs = inside ? planned.timesMs : { facts: 0, plan: 0, apt: 0, apply: 0, handlers: 0 };
  return { facts, desired, plan: makePlan(desired, facts), timesMs };
}

/** The facts as the first part leaves them, for planning the rest: its manifest, its handlers run. */
function factsAfter(first: HostRun): HostFacts {
  const entries = Object.entries(first.plan.manifest);
  const ran = new Set(first.events?.handlersRun ?? []);
  return {
    ...first.facts,
    manifest: Object.fromEntries(entries.map(([path, e]) => [path, e.sha256])),
    manifestRoles: Object.fromEntries(entries.map(([path, e]) => [path, e.role])),
    pendingHandlers: first.facts.pendingHandlers.filter((h) => !ran.has(h)),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runHostGuarded(transport: Transport, options: RunOptions, guard: AccessGuardOptions): Promise<GuardedRun> {
  const spent = { roundTrips: 0, connections: 0 };
  const planned = await collectFactsAndPlan(transport, options);
  const guarded = new Set(options.roles.filter((r) => r.spec.confirmAccess).map((r) => r.spec.name));
  const touchesGuarded =
    planned.plan.changes.some((c) => guarded.has(c.id.role)) || planned.plan.handlers.some((h) => guarded.has(h.role));
  // A plan that cannot be applied is refused whole, before any part of it goes live.
  if (options.mode === 'check' || !touchesGuarded || blockedBy(planned.plan)) {
    return { phases: [await applyPlanned(transport, planned, options)], transport, spent };
  }

  const roles = [...guarded].filter((r) => planned.desired.roles.includes(r));
  const first = partOf(planned, guarded, true, planned.facts);
  const runId = newRunId();
  const spec: GuardSpec = {
    runId,
    deadlineSec: guard.deadlineSec,
    paths: guardedPaths(first.plan),
    afterRestore: restoreCommands(first.plan.handlers),
    what: `the changes of role ${roles.join(', ')}`,
  };
  guard.progress?.(`arming the access guard (${guard.deadlineSec} s)`);
  const armedAt = Date.now();
  const armed = await execChecked(transport, 'bash -s', {
    sudo: true,
    stdin: buildArmScript(spec),
    timeoutSec: 30,
    label: 'arm the access guard',
    hint: 'nothing was changed; the host needs systemd (systemd-run) for the safety net',
  });
  if (parseArmAnswer(armed.stdout) === undefined) {
    throw new Error(`${transport.name}: the access guard did not arm (no answer from the host); nothing was changed`);
  }

  let applied: HostRun;
  try {
    applied = await applyPlanned(transport, first, { ...options, runId });
  } catch (error) {
    // Lost link, lock held: whatever happened, the host must not stay armed for nothing, and
    // the change, if it went through, must still be confirmed.
    applied = { ...first, failure: hostErrorOf(error) };
  }

  const confirmation = await confirmAccess(runId, armedAt, guard);
  const access: AccessOutcome = { ...confirmation.outcome, roles, deadlineSec: guard.deadlineSec };
  if (!confirmation.transport) {
    return { phases: [{ ...applied, failure: failureOf(applied, access) }], transport, spent, access };
  }
  spent.roundTrips += transport.roundTrips;
  spent.connections += transport.connections;
  await transport.close();
  const next = confirmation.transport;
  if (access.outcome !== 'confirmed' || applied.failure) {
    return { phases: [{ ...applied, failure: failureOf(applied, access) }], transport: next, spent, access };
  }

  const rest = partOf(planned, guarded, false, factsAfter(applied));
  let after: HostRun;
  try {
    after = await applyPlanned(next, rest, options);
  } catch (error) {
    // Reported against the host like any failure, with the connection to close and count.
    after = { ...rest, failure: hostErrorOf(error) };
  }
  return { phases: [applied, after], transport: next, spent, access };
}


function failureOf(applied: HostRun, access: AccessOutcome): HostRun['failure'] {
  if (access.outcome === 'confirmed') return applied.failure;
  return {
    message: applied.failure ? `${applied.failure.message}; ${access.message}` : access.message,
    role: access.roles.join(', '),
    resource: 'access guard',
    hint:
      access.outcome === 'rolled-back'
        ? 'nothing else was applied; the new configuration would have locked orbis out: fix it (sshd -T on the host shows what sshd makes of it) and run again'
        : 'check the host from its console: the rollback timer (systemctl list-timers orbis-access-guard-*) and journalctl -t orbis',
  };
}

interface Confirmation {
  outcome: Omit<AccessOutcome, 'roles' | 'deadlineSec'>;
  /** The new connection that logged in, when one did. */
  transport?: Transport;
}

/**
 * Log in again over NEW connections until one confirms, or the deadline (minus a margin for the
 * host's clock and the timer's accuracy) has passed. Then, if none could, wait until the host has
 * rolled back and look at what it recorded.
 */
async function confirmAccess(runId: string, armedAt: number, guard: AccessGuardOptions): Promise<Confirmation> {
  const deadlineMs = guard.deadlineSec * 1000;
  const margin = Math.max(2000, deadlineMs / 10);
  const confirmBy = armedAt + deadlineMs - margin;
  const seconds = (at: number): number => Math.round((at - armedAt) / 100) / 10;
  let attempts = 0;
  let lastError = '';
  // A host key refused once is refused every time: no use trying again.
  let hopeless = false;

  const attempt = async (timeoutMs: number): Promise<{ answer: ConfirmAnswer; transport: Transport } | undefined> => {
    attempts++;
    let fresh: Transport | undefined;
    try {
      fresh = await guard.reconnect(timeoutMs);
      const result = await fresh.exec('bash -s', { sudo: true, stdin: buildConfirmScript(runId), timeoutSec: 20, label: 'confirm the change' });
      return { answer: parseConfirmAnswer(result.stdout), transport: fresh };
    } catch (error) {
      lastError = (error as Error).message.split('\n')[0] ?? String(error);
      await fresh?.close().catch(() => undefined);
      if (error instanceof HostKeyError) hopeless = true;
      return undefined;
    }
  };

  guard.progress?.('logging in again over a new connection');
  while (Date.now() < confirmBy) {
    const started = Date.now();
    const got = await attempt(Math.min(10_000, Math.max(1000, confirmBy - started)));
    if (got) return settle(got.answer, got.transport, Date.now());
    if (hopeless) break;
    await sleep(Math.min(guard.retryIntervalMs ?? 2000, confirmBy - Date.now()));
  }

  // Nobody got in: the host restores itself at the deadline. Wait for it, then look.
  const lookAt = armedAt + deadlineMs + (guard.graceMs ?? Math.max(5000, deadlineMs / 10));
  guard.progress?.(`cannot log in again (${lastError}); waiting for the host to restore itself`);
  await sleep(lookAt - Date.now());
  const late = hopeless ? undefined : await attempt(10_000);
  if (late) return settle(late.answer, late.transport, Date.now());
  return {
    outcome: {
      outcome: 'unconfirmed',
      attempts,
      message:
        `could not log in again within ${guard.deadlineSec} s (${lastError}), nor after: the host was to restore ` +
        `its previous configuration by itself ${guard.deadlineSec} s after the change`,
    },
  };

  function settle(answer: ConfirmAnswer, transport: Transport, at: number): Confirmation {
    switch (answer.kind) {
      case 'confirmed':
        return {
          transport,
          outcome: { outcome: 'confirmed', afterSec: seconds(at), attempts, message: `confirmed over a new connection ${seconds(at)} s after the change (deadline ${guard.deadlineSec} s)` },
        };
      case 'rolled-back': {
        const after = answer.atEpochSec === undefined ? undefined : Math.max(0, Math.round(answer.atEpochSec - armedAt / 1000));
        const why = attempts > 1 || lastError ? ` (${lastError || 'no answer'})` : '';
        return {
          transport,
          outcome: {
            outcome: 'rolled-back',
            ...(after === undefined ? {} : { afterSec: after }),
            attempts,
            message:
              `the change was not confirmed within ${guard.deadlineSec} s${why}: the host restored its previous ` +
              `configuration by itself${after === undefined ? '' : ` ${after} s after the change`}`,
          },
        };
      }
      default:
        return {
          transport,
          outcome: {
            outcome: 'unconfirmed',
            attempts,
            message: `the host has no record of access guard ${runId} (${answer.kind === 'unknown' ? answer.text || 'no answer' : 'gone'})`,
          },
        };
    }
  }
}

