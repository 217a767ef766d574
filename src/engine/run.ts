// One host, one run: facts -> desired -> plan -> (check: stop | apply: one script) -> outcome.
// The same path serves `provision --check` (plan only), `check` (plan reported as drift) and
// `provision`/`apply` (plan applied). Round trips: 1 to gather facts (2 when the rendered
// roles ask about something the first probe could not know), 1 to apply, 0 when in sync.
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { gatherFacts, mergeFacts, missingFromSpec } from '../facts/gather.js';
import type { HostFacts } from '../facts/types.js';
import type { TemplateRenderer } from '../render/templates.js';
import { buildDesired, type DesiredState } from '../roles/desired.js';
import type { LoadedRole } from '../roles/load.js';
import type { Transport } from '../transport/types.js';
import { maskHostText } from '../redact/secret-mask.js';
import { buildApplyScript } from './apply-script.js';
import { runApplyScript, type ApplyEvents, type StepEvent } from './apply.js';
import { makePlan, probeSpecFor, type Plan } from './plan.js';
import { faultStep, isFaultPoint, parseFault, pauseEvent, pauseSeconds, type FaultPoint } from './fault.js';
import { ConnectionLostError } from '../transport/errors.js';
import type { ProbeSpec } from '../facts/probe.js';
import { applyRecord, type RecordedVerify } from './run-record.js';

export interface RunOptions {
  mode: 'apply' | 'check';
  roles: LoadedRole[];
  /** The render context for this host; `facts` is null for the first, provisional render. */
  contextFor: (facts: HostFacts | null) => Record<string, unknown>;
  renderer: TemplateRenderer;
  /** Every secret value known to the run: masked in anything that comes back from the host. */
  secretValues: string[];
  orbisVersion: string;
  lockWaitSec?: number;
  applyTimeoutSec?: number;
  /** The run's id on the host (runs/<id>.json); default: a new one. */
  runId?: string;
  /** Live progress while the apply script runs: what it is doing now, e.g. `nginx-rtmp: file /etc/...`. */
  onApplyStep?: (what: string) => void;
  /** How this run's result is verified, kept in its record (a rollback to it verifies the same). */
  verifyRecord?: (facts: HostFacts, desired: DesiredState) => RecordedVerify | undefined;
}

/** Where the engine's time went on this host, in ms (the parts do not overlap). */
export interface RunTimes {
  /** The facts probe(s): round trips and the remote script. */
  facts: number;
  /** Rendering the roles and computing the plan, on the controller. */
  plan: number;
  /** The apt step of the apply script. */
  apt: number;
  /** The rest of the apply round trip (files, users, units, the record), handlers excepted. */
  apply: number;
  /** The handlers step of the apply script. */
  handlers: number;
}

export interface HostRun {
  facts: HostFacts;
  desired: DesiredState;
  plan: Plan;
  /** Present when the plan was applied. */
  events?: ApplyEvents;
  /** The id of the applying run (its record and backups on the host). */
  runId?: string;
  /** A failure inside the apply script, with where it happened. */
  failure?: { message: string; role?: string; resource?: string; hint?: string };
  timesMs: RunTimes;
}

export class LockedError extends Error {
  constructor(
    readonly host: string,
    readonly holder: string,
  ) {
    super(`${host}: another orbis run holds the lock: ${holder}`);
    this.name = 'LockedError';
  }
}

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * What the first probe asks about: a render without facts tells which packages, paths and units
 * the roles manage; facts rarely change those (they change contents: the encoder, the
 * architecture's download). `withContents`: also the current content of managed files (diffs).
 */
export function firstProbeSpec(options: Pick<RunOptions, 'roles' | 'contextFor' | 'renderer'>, withContents = false): ProbeSpec {
  const provisional = buildDesired(options.roles, options.contextFor(null), options.renderer);
  const spec = probeSpecFor(provisional.resources, provisional.handlers);
  if (withContents) spec.contents = provisional.resources.flatMap((r) => (r.kind === 'file' ? [r.path] : []));
  return spec;
}

/** The host's facts as the engine sees them before planning: one round trip (`orbis facts`, `orbis render`). */
export function probeFacts(transport: Transport, options: Pick<RunOptions, 'roles' | 'contextFor' | 'renderer'>): Promise<HostFacts> {
  return gatherFacts(transport, firstProbeSpec(options));
}

export async function collectFactsAndPlan(transport: Transport, options: RunOptions): Promise<Omit<HostRun, 'events' | 'failure'>> {
  const started = performance.now();
  let factsMs = 0;
  const gather = async (spec: ProbeSpec): Promise<HostFacts> => {
    const t = performance.now();
    try {
      return await gatherFacts(transport, spec);
    } finally {
      factsMs += performance.now() - t;
    }
  };
  // Check mode shows diffs: fetch the current content of managed files in the same round trip.
  const askedSpec = firstProbeSpec(options, options.mode === 'check');
  let facts = await gather(askedSpec);
  const desired = buildDesired(options.roles, options.contextFor(facts), options.renderer);
  const missing = missingFromSpec(askedSpec, probeSpecFor(desired.resources, desired.handlers));
  if (missing) facts = mergeFacts(facts, await gather(missing));
  const plan = makePlan(desired, facts);
  const gathering = Math.round(factsMs);
  const planning = Math.max(0, Math.round(performance.now() - started) - gathering);
  return { facts, desired, plan, timesMs: { facts: gathering, plan: planning, apt: 0, apply: 0, handlers: 0 } };
}

export async function runHost(transport: Transport, options: RunOptions): Promise<HostRun> {
  return applyPlanned(transport, await collectFactsAndPlan(transport, options), options);
}

/** The refusal of a plan that holds a change that cannot be planned (nothing is applied then). */
export function blockedBy(plan: Plan): HostRun['failure'] {
  const blocked = plan.changes.find((c) => c.error !== undefined);
  return blocked ? { message: blocked.error ?? '', role: blocked.id.role, resource: `${blocked.id.type} ${blocked.id.name}` } : undefined;
}

/** After planning: stop in check mode or when in sync; otherwise apply the plan in one script. */
export async function applyPlanned(transport: Transport, planned: Omit<HostRun, 'events' | 'failure'>, options: RunOptions): Promise<HostRun> {
  const run: HostRun = { ...planned };
  const blocked = blockedBy(run.plan);
  if (blocked) {
    run.failure = blocked;
    return run;
  }
  if (options.mode === 'check' || run.plan.empty) return run;

  const runId = options.runId ?? newRunId();
  run.runId = runId;
  const verify = options.verifyRecord?.(run.facts, run.desired);
  const record = JSON.stringify(
    applyRecord({
      id: runId,
      time: new Date().toISOString(),
      controller: controllerName(),
      orbisVersion: options.orbisVersion,
      plan: run.plan,
      desired: run.desired,
      facts: run.facts,
      ...(verify ? { verify } : {}),
    }),
  );
  const fault = parseFault(process.env.ORBIS_FAULT);
  const step = fault && faultStep(fault, run.plan);
  const script = buildApplyScript(run.plan, {
    runId,
    holder: lockHolder(options.orbisVersion, runId),
    lockWaitSec: options.lockWaitSec ?? 30,
    record,
    ...(fault && step !== undefined ? { pauseAt: { event: pauseEvent(fault, step), seconds: pauseSeconds(fault) } } : {}),
  });
  const onStep = (event: StepEvent): void => {
    if (event.kind === 'begin') options.onApplyStep?.(describeStep(run.plan, event.step));
    if (fault && step !== undefined && isFaultPoint(fault, event, step)) void causeFault(transport, fault, runId);
  };
  let events;
  const applyStarted = performance.now();
  try {
    events = await runApplyScript(transport, runId, script, options.applyTimeoutSec ?? 1800, { onStep });
  } catch (error) {
    if (error instanceof ConnectionLostError) throw new ApplyConnectionLostError(transport.name, runId, error);
    throw error;
  }
  run.events = events;
  const apt = events.stepMs.apt ?? 0;
  const handlers = events.stepMs.handlers ?? 0;
  run.timesMs = { ...run.timesMs, apt, handlers, apply: Math.max(0, Math.round(performance.now() - applyStarted) - apt - handlers) };
  // What the script says may quote a file (nginx -t): masked as anything from the Pi is, by the
  // keys the run knows and by where keys sit, whatever they hold.
  const known = run.desired.secrets?.forText() ?? { anchors: [] };
  const hostMask = { ...known, values: [...options.secretValues, ...(run.desired.secrets?.values ?? [])] };
  const mask = (text: string): string => maskHostText(text, hostMask);
  if (events.lockedBy) throw new LockedError(transport.name, mask(events.lockedBy));
  if (events.failed) {
    const where = locateStep(run.plan, events.failed.step);
    run.failure = { message: mask(events.failed.message), ...where };
  } else if (!events.done) {
    run.failure = {
      message: `the apply script stopped without reporting (exit ${events.exitCode ?? 'unknown'}): ${mask(events.stderr.trim().slice(-500))}`,
      // A full disk keeps a run from writing even why it failed: launch.sh then says how much
      // room the state's disk has.
      hint: /KiB free \((9[5-9]|100)% used\)/.test(events.stderr)
        ? 'the host\'s disk is full: free space (e.g. `sudo apt-get clean`, `sudo journalctl --vacuum-size=50M`), then run again'
        : 'look at `journalctl -u orbis-apply-*` on the host',
    };
  }
  return run;
}

export function controllerName(): string {
  return `${userInfo().username}@${hostname()}`;
}

/** What a second run that finds the host locked is told. */
export function lockHolder(orbisVersion: string, runId: string): string {
  return `orbis ${orbisVersion} run ${runId} from ${controllerName()} (pid ${process.pid})`;
}

/** A step of the apply script as a progress line says it. */
export function describeStep(plan: Plan, step: string): string {
  if (step === 'apt' || step === 'apt-wait') return 'installing packages';
  if (step === 'handlers') return `running handlers (${plan.handlers.map((h) => h.name).join(', ')})`;
  if (step === 'record') return 'recording the run';
  if (step.startsWith('validate:')) return `${step.slice('validate:'.length)}: validating`;
  const change = plan.changes[Number(step)];
  if (!change) return step;
  const alongside = plan.duringApt?.includes(change.id.role) === true ? ', while packages install' : '';
  return `${change.id.role}: ${change.id.type} ${change.id.name} (${Number(step) + 1}/${plan.changes.length}${alongside})`;
}

/**
 * The link dropped while the apply script ran. The script is detached on the Pi (systemd-run),
 * so it goes on and finishes there; only its outcome is unknown here.
 */
export class ApplyConnectionLostError extends Error {
  readonly hint: string;
  constructor(host: string, runId: string, cause: ConnectionLostError) {
    const withoutHint = cause.hint && cause.message.endsWith(`\n${cause.hint}`) ? cause.message.slice(0, -cause.hint.length - 1) : cause.message;
    const detail = withoutHint.replace(/^connection to \S+ lost while running [^:]*: /, '');
    super(`connection to ${host} lost while applying run ${runId} (${detail}); the run goes on by itself on the host`, { cause });
    this.name = 'ApplyConnectionLostError';
    this.hint = `\`orbis check ${host}\` shows where the host stands once it answers again; on the host, \`journalctl -u orbis-apply-${runId}\` shows what the run did`;
  }
}

/** Cause the fault asked for (see fault.ts): kill the apply script on the Pi first if asked, then cut. */
async function causeFault(transport: Transport, fault: FaultPoint, runId: string): Promise<void> {
  if (fault.action === 'reboot') {
    await transport.exec('systemctl reboot', { sudo: true, timeoutSec: 10 }).catch(() => undefined);
    return;
  }
  if (fault.action === 'kill') {
    await transport.exec(`systemctl kill --signal=KILL orbis-apply-${runId}.service`, { sudo: true, timeoutSec: 10 }).catch(() => undefined);
  }
  transport.cutConnection?.();
}

/** Turn a step label from the script back into role / resource for the error message. */
function locateStep(plan: Plan, step: string): { role?: string; resource?: string; hint?: string } {
  if (step === 'apt') return { resource: 'packages', hint: 'check the host reaches its Debian mirror and has free disk space' };
  if (step === 'handlers') return { resource: 'handlers', hint: 'the handlers stay pending and run again on the next orbis run' };
  if (step.startsWith('validate:')) return { role: step.slice('validate:'.length), resource: 'validation', hint: 'fix the setting or template that produced the invalid file' };
  const change = plan.changes[Number(step)];
  if (!change) return {};
  return { role: change.id.role, resource: `${change.id.type} ${change.id.name}` };
}
