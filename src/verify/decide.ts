// Observations -> verdicts, in the order a reader follows the pipeline (clock, units, ports,
// nginx, BTFS, FFmpeg, the platforms, the stream). Pure: unit-tested on recorded outputs.
//
// One fault often breaks several things (BTFS down: no gateway, no FFmpeg input, no publisher).
// The check that names the fault fails; a failure whose cause another failed check already
// names is reported as a consequence (warn, "not judged: X failed"), so the report points at
// the one thing to fix. Exit codes still fail: the cause is a failure.
import { clockCheck, type ClockContext } from './checks/clock.js';
import { btfsGatewayCheck } from './checks/btfs.js';
import { ffmpegCheck, type FfmpegTestOptions } from './checks/ffmpeg.js';
import { listenerChecks } from './checks/listeners.js';
import { nginxConfigCheck, rtmpModuleCheck, statCheck } from './checks/nginx.js';
import { CHECK, type Outcome } from './checks/outcome.js';
import { dliveReachCheck } from './checks/reach.js';
import { streamChecks } from './checks/stream.js';
import { tlsCheck } from './checks/tls.js';
import { unitChecks } from './checks/units.js';
import type { Observations } from './parse/output.js';
import { redact } from '../redact/push-targets.js';
import type { VerifyInput, VerifyResult } from './types.js';

export interface DecideContext {
  clock: ClockContext;
  ffmpeg: FfmpegTestOptions;
}

export function decide(input: VerifyInput, o: Observations, ctx: DecideContext): Outcome[] {
  const outcomes: Outcome[] = [];
  const add = (x: Outcome | undefined): void => {
    if (x) outcomes.push(x);
  };
  add(clockCheck(o, ctx.clock));
  outcomes.push(...unitChecks(input.units, o.unitSamples));
  outcomes.push(...listenerChecks(input, o.listeners, o.processes));
  add(nginxConfigCheck(o));
  add(rtmpModuleCheck(o));
  const stat = statCheck(input, o);
  add(stat.outcome);
  add(btfsGatewayCheck(input, o));
  add(ffmpegCheck(input, o.ffmpeg, ctx.ffmpeg, o.live, o.now));
  add(input.kick ? tlsCheck(input, o.tls, o.cert, o.resolved[input.kick.host], o.now) : undefined);
  add(dliveReachCheck(input, o));
  outcomes.push(...streamChecks(input, stat.report));
  return blameIntruders(outcomes);
}

/**
 * A unit that is down while another process holds its port is down because of it (nginx cannot
 * bind: "Address already in use"): the listener that names the intruder is the cause.
 */
function blameIntruders(outcomes: Outcome[]): Outcome[] {
  const unitCheckOf: Record<string, string> = {
    [CHECK.listenRtmp]: CHECK.unitNginx,
    [CHECK.listenStats]: CHECK.unitNginx,
    [CHECK.listenStunnel]: CHECK.unitStunnel,
    [CHECK.listenGateway]: CHECK.unitBtfs,
  };
  const blamed = new Map<string, string[]>();
  for (const x of outcomes) {
    const unit = unitCheckOf[x.name];
    if (x.cause && unit) blamed.set(unit, [...(blamed.get(unit) ?? []), x.name]);
  }
  return outcomes.map((x) => (blamed.has(x.name) ? { ...x, needs: [...(x.needs ?? []), ...(blamed.get(x.name) ?? [])] } : x));
}

/** Failures explained by another failure become consequences (see the top of this file). */
export function attributeCauses(outcomes: Outcome[]): Outcome[] {
  const failed = new Set(outcomes.filter((x) => x.status === 'fail').map((x) => x.name));
  return outcomes.map((x) => {
    if (x.status !== 'fail' || x.cause) return x;
    const because = (x.needs ?? []).filter((n) => failed.has(n));
    if (because.length === 0) return x;
    return {
      ...x,
      status: 'warn' as const,
      value: `not judged: ${because.join(', ')} failed (${x.value ?? ''})`,
      hint: `fix ${because.join(', ')} first`,
    };
  });
}

/**
 * The public form: attributed (over every check, reported or not), the selected ones, every
 * string masked (stream keys, push targets).
 */
export function finalResults(outcomes: Outcome[], input: Pick<VerifyInput, 'secrets'>, selected: (name: string) => boolean = () => true): VerifyResult[] {
  return attributeCauses(outcomes).filter((x) => selected(x.name)).map((x) => ({
    name: x.name,
    status: x.status,
    ...(x.value !== undefined ? { value: redact(x.value, input.secrets) } : {}),
    ...(x.hint !== undefined ? { hint: redact(x.hint, input.secrets) } : {}),
  }));
}

export function scriptFailure(message: string, hint: string): Outcome {
  return { name: CHECK.script, status: 'fail', value: message, hint, settle: false };
}
