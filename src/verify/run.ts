// Verify one host over an open transport. Round trips: 1 when the host is settled (every
// check in one script: on a Pi that streams, the encoder's speed read from the live streamer;
// otherwise the FFmpeg test encode); then 1 per retry of the settle checks (units up for less
// than a few seconds, listeners, gateway, /stat, a streamer's first samples) while any fails,
// until --retry-timeout; then 1 more for the FFmpeg test encode only if its input (the gateway)
// settled after the first attempt, or the streamer never gave its speed.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Transport } from '../transport/types.js';
import { CHECK, selectChecks, type Outcome } from './checks/outcome.js';
import { attributeCauses, decide, finalResults, scriptFailure, type DecideContext } from './decide.js';
import { mergeObservations, parseVerifyOutput, type Observations } from './parse/output.js';
import { buildVerifyScript, ffmpegTimeLimitSec, scriptTimeoutSec, type ScriptKind, type ScriptOptions } from './script.js';
import { redact } from '../redact/push-targets.js';
import { DEFAULT_VERIFY_OPTIONS, type VerifyInput, type VerifyOptions, type VerifyResult } from './types.js';

class ScriptError extends Error {}

async function runScript(transport: Transport, input: VerifyInput, kind: ScriptKind, options: ScriptOptions): Promise<{ observations: Observations; sentAt: number; answeredAt: number }> {
  const sentAt = Date.now() / 1000;
  const result = await transport.exec('bash -s', {
    sudo: true,
    stdin: buildVerifyScript(input, kind, options),
    timeoutSec: scriptTimeoutSec(kind, options),
    label: `verify (${kind})`,
  });
  const answeredAt = Date.now() / 1000;
  const observations = parseVerifyOutput(result.stdout);
  if (!observations.complete) {
    const tail = redact(result.stderr.trim().split('\n').slice(-3).join(' / '), input.secrets);
    throw new ScriptError(`the verify script stopped early (exit ${result.code ?? result.signal ?? 'unknown'}${result.timedOut ? ', timed out' : ''})${tail ? `: ${tail}` : ''}`);
  }
  return { observations, sentAt, answeredAt };
}

/**
 * The settle checks worth waiting for: failed, and not merely a consequence of another failure
 * (a Kick push cannot settle while TLS to Kick fails, which no wait will change).
 */
function failedSettle(outcomes: Outcome[], selected: (name: string) => boolean): Outcome[] {
  return attributeCauses(outcomes).filter((x) => x.settle && x.status === 'fail' && selected(x.name));
}

/**
 * Run every check on one host and return the results (name, pass|warn|fail, value, hint), stream
 * keys masked. Throws only what the transport throws (connection lost, sudo refused); a check
 * that cannot run is a failed result.
 */
export async function verifyHost(transport: Transport, input: VerifyInput, options: VerifyOptions = {}): Promise<VerifyResult[]> {
  const o = { ...DEFAULT_VERIFY_OPTIONS, ...options };
  const selected = selectChecks(o.checks);
  // The FFmpeg test is the one costly check: not run when it is not asked for.
  const scriptOptions: ScriptOptions = { seconds: o.seconds, minSpeed: o.minSpeed, ffmpeg: selected(CHECK.ffmpeg), encodeOnAir: o.encodeOnAir };
  const started = Date.now();
  const progress = o.progress ?? (() => undefined);
  try {
    progress('checking');
    const first = await runScript(transport, input, 'full', scriptOptions);
    let observations = first.observations;
    const ctx: DecideContext = {
      clock: { sentAt: first.sentAt, answeredAt: first.answeredAt },
      ffmpeg: { seconds: o.seconds, minSpeed: o.minSpeed, timeLimitSec: ffmpegTimeLimitSec(scriptOptions) },
    };
    let outcomes = decide(input, observations, ctx);
    const gatewayAtFirst = outcomes.find((x) => x.name === CHECK.btfsGateway)?.status;

    while (failedSettle(outcomes, selected).length > 0 && Date.now() - started + o.retryIntervalSec * 1000 <= o.retryTimeoutSec * 1000) {
      progress(`waiting for ${failedSettle(outcomes, selected).map((x) => x.name).join(', ')} to settle`);
      await sleep(o.retryIntervalSec * 1000);
      const next = await runScript(transport, input, 'settle', scriptOptions);
      observations = mergeObservations(observations, next.observations);
      outcomes = decide(input, observations, ctx);
    }

    // The FFmpeg test read the gateway before it was ready: measure again now that it is. Or
    // it never ran, waiting for a streamer that then gave no speed: test the encode now.
    const gatewayNow = outcomes.find((x) => x.name === CHECK.btfsGateway)?.status;
    const ffmpegNow = outcomes.find((x) => x.name === CHECK.ffmpeg)?.status;
    const retest = gatewayAtFirst === 'fail' && gatewayNow === 'pass' && ffmpegNow === 'fail';
    const neverMeasured = observations.ffmpeg === undefined && observations.live?.state !== 'samples';
    if (scriptOptions.ffmpeg && (retest || neverMeasured)) {
      progress(retest ? 'the gateway settled: running the FFmpeg test again' : 'the streamer gave no speed: running the FFmpeg test');
      const again = await runScript(transport, input, 'ffmpeg', scriptOptions);
      observations = mergeObservations(observations, again.observations);
      outcomes = decide(input, observations, ctx);
    }
    return finalResults(outcomes, input, selected);
  } catch (error) {
    if (!(error instanceof ScriptError)) throw error;
    return finalResults([scriptFailure(error.message, 'the host must run bash, coreutils, iproute2 (ss) and systemd; see the message for what stopped it')], input);
  }
}
