// Roll one host back over an open connection, then verify it the way the generation it went back
// to was verified (the checks and settings its run recorded): shared by `orbis rollback` and
// `orbis apply --rollback-on-fail`.
import { Secret } from '../redact/secret.js';
import { rollbackHost, type HostRollback } from '../engine/rollback.js';
import { RollbackError, type RollbackRequest } from '../engine/rollback-plan.js';
import { rollbackReportedChanges } from './rollback-report.js';
import { hostErrorOf, type HostError, type RollbackOutcome } from '../report/result.js';
import type { Transport } from '../transport/types.js';
import { maskHostText } from '../redact/secret-mask.js';
import type { VerifyInput, VerifyOptions } from '../verify/types.js';
import { ORBIS_VERSION } from '../version.js';

export interface RollbackContext {
  mode: 'apply' | 'check';
  request: RollbackRequest;
  /** Keys known to this run (masked; push targets are masked whatever they hold). */
  secretValues: string[];
  lockWaitSec: number;
  /** Verify after rolling back (when the target generation recorded how it was verified). */
  verify?: Omit<VerifyOptions, 'progress' | 'checks'>;
  update: (message: string) => void;
}

export interface RollbackDone {
  /** Absent when the rollback could not even be planned (see outcome.error). */
  result?: HostRollback;
  outcome: RollbackOutcome & Required<Pick<RollbackOutcome, 'changes' | 'handlers' | 'verify'>>;
}

function masked(error: HostError, secrets: readonly string[]): HostError {
  const mask = (text: string): string => maskHostText(text, { values: secrets, anchors: [] });
  return { ...error, message: mask(error.message), ...(error.hint ? { hint: mask(error.hint) } : {}) };
}

export async function rollbackAndVerify(transport: Transport, ctx: RollbackContext): Promise<RollbackDone> {
  let result: HostRollback;
  try {
    ctx.update(ctx.mode === 'check' ? 'reading the run history' : 'reading the run history and rolling back');
    result = await rollbackHost(transport, {
      mode: ctx.mode,
      request: ctx.request,
      orbisVersion: ORBIS_VERSION,
      secretValues: ctx.secretValues,
      lockWaitSec: ctx.lockWaitSec,
    });
  } catch (error) {
    const status = error instanceof RollbackError ? 'unavailable' : 'failed';
    return { outcome: { status, undone: [], changes: [], handlers: [], verify: [], error: masked(hostErrorOf(error), ctx.secretValues) } };
  }
  const plan = result.plan;
  const status: RollbackOutcome['status'] = !plan ? 'current' : result.failure ? 'failed' : ctx.mode === 'check' ? 'planned' : 'rolled-back';
  const outcome: RollbackDone['outcome'] = {
    status,
    ...(plan ? { to: { id: plan.target.id, time: plan.target.time } } : {}),
    undone: plan?.undone.map((r) => r.id) ?? [],
    changes: rollbackReportedChanges(result),
    handlers: result.events ? result.events.handlersRun : (plan?.handlers.map((h) => h.name) ?? []),
    verify: [],
    ...(result.failure ? { error: masked(result.failure, ctx.secretValues) } : {}),
  };
  // Verified when the files are back for good (a failure before that left the host as it was).
  const filesBack = result.events?.finished.includes('record') === true;
  if (plan?.verify && ctx.verify && filesBack) {
    const { verifyHost, verifyFailed } = await import('../verify/index.js');
    const input: VerifyInput = { ...(plan.verify.input as Omit<VerifyInput, 'secrets'>), secrets: ctx.secretValues.map((v) => new Secret(v)) };
    outcome.verify = await verifyHost(transport, input, { ...ctx.verify, checks: plan.verify.checks, progress: (m) => ctx.update(`verify after the rollback: ${m}`) });
    outcome.verified = !verifyFailed(outcome.verify);
  }
  return { result, outcome };
}
