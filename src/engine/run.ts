// One host, one run: facts -> desired -> plan -> (check: stop | apply: one script) -> outcome.
// The same path serves `provision --check` (plan only), `check` (plan reported as drift) and
// `provision`/`apply` (plan applied). Round trips: 1 to gather facts (2 when the rendered
// roles ask about something the first probe could not know), 1 to apply, 0 when in sync.
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { gatherFacts, mergeFacts, missingFromSpec } from '../facts/gather.js';
import type { HostFacts } from '../resources/types.js';
import type { TemplateRenderer } from '../render/templates.js';
import { buildDesired, type DesiredState } from '../roles/desired.js';
import type { LoadedRole } from '../roles/load.js';
import type { Transport } from '../transport/types.js';
import { maskSecrets } from '../config/secret.js';
import { buildApplyScript } from './apply-script.js';
import { runApplyScript, type ApplyEvents } from './apply.js';
import { makePlan, probeSpecFor, type Plan } from './plan.js';
import type { ProbeSpec } from '../facts/probe.js';

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
}

/** Where the engine's time went on this host, in ms (the phases do not overlap). */
export interface RunPhases {
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
  /** A failure inside the apply script, with where it happened. */
  failure?: { message: string; role?: string; resource?: string; hint?: string };
  phasesMs: RunPhases;
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

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
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
  // A first render without facts tells which packages, paths and units to ask about; facts
  // rarely change those (they change contents: the encoder, the architecture's download).
  const provisional = buildDesired(options.roles, options.contextFor(null), options.renderer);
  const askedSpec = probeSpecFor(provisional.resources, provisional.handlers);
  // Check mode shows diffs: fetch the current content of managed files in the same round trip.
  if (options.mode === 'check') askedSpec.contents = provisional.resources.flatMap((r) => (r.kind === 'file' ? [r.path] : []));
  let facts = await gather(askedSpec);
  const desired = buildDesired(options.roles, options.contextFor(facts), options.renderer);
  const missing = missingFromSpec(askedSpec, probeSpecFor(desired.resources, desired.handlers));
  if (missing) facts = mergeFacts(facts, await gather(missing));
  const plan = makePlan(desired, facts);
  const gathering = Math.round(factsMs);
  const planning = Math.max(0, Math.round(performance.now() - started) - gathering);
  return { facts, desired, plan, phasesMs: { facts: gathering, plan: planning, apt: 0, apply: 0, handlers: 0 } };
}

export async function runHost(transport: Transport, options: RunOptions): Promise<HostRun> {
  const run: HostRun = await collectFactsAndPlan(transport, options);
  const blocked = run.plan.changes.find((c) => c.error !== undefined);
  if (blocked) {
    run.failure = { message: blocked.error ?? '', role: blocked.id.role, resource: `${blocked.id.type} ${blocked.id.name}` };
    return run;
  }
  if (options.mode === 'check' || run.plan.empty) return run;

  const runId = newRunId();
  const record = JSON.stringify({
    id: runId,
    orbis: options.orbisVersion,
    time: new Date().toISOString(),
    controller: `${userInfo().username}@${hostname()}`,
    roles: run.desired.roles,
    changes: run.plan.changes.map((c) => ({ role: c.id.role, type: c.id.type, name: c.id.name, summary: c.summary })),
    handlers: run.plan.handlers.map((h) => h.name),
  });
  const script = buildApplyScript(run.plan, {
    runId,
    holder: `orbis ${options.orbisVersion} run ${runId} from ${userInfo().username}@${hostname()} (pid ${process.pid})`,
    lockWaitSec: options.lockWaitSec ?? 30,
    record,
  });
  const applyStarted = performance.now();
  const events = await runApplyScript(transport, runId, script, options.applyTimeoutSec ?? 1800);
  run.events = events;
  const apt = events.stepMs.apt ?? 0;
  const handlers = events.stepMs.handlers ?? 0;
  run.phasesMs = { ...run.phasesMs, apt, handlers, apply: Math.max(0, Math.round(performance.now() - applyStarted) - apt - handlers) };
  const mask = (text: string): string => maskSecrets(text, options.secretValues);
  if (events.lockedBy) throw new LockedError(transport.name, mask(events.lockedBy));
  if (events.failed) {
    const where = locateStep(run.plan, events.failed.step);
    run.failure = { message: mask(events.failed.message), ...where };
  } else if (!events.done) {
    run.failure = {
      message: `the apply script stopped without reporting (exit ${events.exitCode ?? 'unknown'}): ${mask(events.stderr.trim().slice(-500))}`,
      hint: 'look at `journalctl -u orbis-apply-*` on the host',
    };
  }
  return run;
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
