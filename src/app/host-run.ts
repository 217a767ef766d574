// One host, end to end: connect (or take the connection opened early), first contact when asked,
// the guarded run (facts, plan, apply or check), the verify step, and a rollback when the host
// failed and the request says so. Whatever goes wrong becomes the host's report, secrets masked.
// The fleet (fleet/run.ts) runs it over many hosts; the CLI only builds the request and prints.
import type { LoadedSettings } from '../config/index.js';
import { decideEncoder } from '../config/encoder-args.js';
import type { RecordedVerify } from '../engine/run-record.js';
import type { HostRun } from '../engine/run.js';
import { runHostGuarded } from '../engine/guarded-run.js';
import { firstContact } from '../bootstrap/first-contact.js';
import { maskHostText } from '../redact/secret-mask.js';
import { hostErrorOf, type HostAccess, type HostReport, type ReportedChange } from '../report/result.js';
import { renderContext } from '../roles/context.js';
import type { LoadedRole } from '../roles/load.js';
import { connect, type SshConnectOptions, type SshTransport } from '../transport/ssh.js';
import type { Transport } from '../transport/types.js';
import { UnreachableError, HostKeyError, isAuthFailure } from '../transport/errors.js';
import type { VerifyOptions } from '../verify/types.js';
import { verifyInputFrom } from '../verify/input.js';
import { ORBIS_VERSION } from '../version.js';
import { hostReportOfPhases } from './host-report.js';
import { onAirEffect } from '../roles/off-air.js';
import { HARDENING_ROLE, secretValuesOf, type Prepared } from './prepare.js';
import type { HostTarget, RunRequest } from './request.js';

function errorReport(name: string, error: unknown, secrets: string[], startedAt: number, roundTrips = 0, connections = 0): HostReport {
  const unreachable = error instanceof UnreachableError || error instanceof HostKeyError;
  const { message, hint } = hostErrorOf(error);
  // Masked by place as well as by value: an error may quote what the Pi printed, a key the
  // controller no longer knows included (redact/secret-mask.ts).
  const mask = (text: string): string => maskHostText(text, { values: secrets, anchors: [] });
  return {
    name,
    status: isAuthFailure(error) ? 'auth-failed' : unreachable ? 'unreachable' : 'failed',
    changes: [],
    handlers: [],
    verify: [],
    error: { message: mask(message), ...(hint ? { hint: mask(hint) } : {}) },
    roundTrips,
    connections,
    durationMs: Date.now() - startedAt,
  };
}

/**
 * Connect to a host, run `work` over the connection, close it. Whatever goes wrong (the host
 * unreachable, the link lost, a host-side failure) becomes the host's report, secrets masked.
 */
export async function onHost(
  host: HostTarget,
  request: Pick<RunRequest, 'connect'>,
  secrets: string[],
  update: (m: string) => void,
  work: (transport: Transport, startedAt: number) => Promise<HostReport>,
): Promise<HostReport> {
  const startedAt = Date.now();
  update('connecting');
  let transport;
  try {
    transport = await connect(host.target, { ...host.connect, ...request.connect, name: host.name });
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt);
  }
  try {
    return await work(transport, startedAt);
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt, transport.roundTrips, transport.connections);
  } finally {
    await transport.close();
  }
}

export async function runOnHost(host: HostTarget, request: RunRequest, prepared: Prepared, update: (m: string) => void): Promise<HostReport> {
  const startedAt = Date.now();
  const loaded = prepared.settingsFor(host);
  const secrets = secretValuesOf(loaded);
  const options: SshConnectOptions = { ...host.connect, ...request.connect, name: host.name };
  // Every connection after the first is by key only: the password served once, to get a key in.
  const { loginPassword: _once, ...byKey } = options;
  const spent = { roundTrips: 0, connections: 0 };
  const counters = (t: Transport): { roundTrips: number; connections: number } => ({
    roundTrips: spent.roundTrips + t.roundTrips,
    connections: spent.connections + t.connections,
  });
  update('connecting');
  let transport: SshTransport;
  try {
    transport = await (request.early?.take(host.name) ?? connect(host.target, options));
  } catch (error) {
    return errorReport(host.name, error, secrets, startedAt);
  }
  const connectMs = Date.now() - startedAt;
  let access: HostAccess | undefined;
  const bootstrapChanges: ReportedChange[] = [];
  try {
    if (request.bootstrap) {
      access = { login: transport.loginMethod };
      if (transport.loginMethod === 'password') update('installing the SSH key');
      const contact = await firstContact(transport, {
        mode: request.mode,
        ...(options.keyPassphrase ? { keyPassphrase: options.keyPassphrase } : {}),
        reconnectByKey: () => connect(host.target, byKey),
      });
      transport = contact.transport;
      add(spent, contact.spent);
      if (contact.key) access.key = contact.key;
      if (contact.change) bootstrapChanges.push(contact.change);
    }
    const roles = rolesFor(loaded, request, prepared.roles);
    const hardening = roles.some((r) => r.spec.name === HARDENING_ROLE);
    if (hardening && transport.isRoot) {
      throw Object.assign(new Error(`hardening SSH turns root logins off, and orbis logs into ${host.name} as root: it would lock itself out`), {
        hint: 'log in as a user with sudo (e.g. pi@HOST), or keep SSH as it is with --no-harden (or SSH_DURCISSEMENT=false)',
      });
    }
    update('gathering facts and planning');
    const guarded = await runHostGuarded(
      transport,
      {
        mode: request.mode,
        roles,
        contextFor: (facts) => renderContext(loaded, { values: prepared.roleValues }, facts, ORBIS_VERSION),
        renderer: prepared.renderer,
        secretValues: secrets,
        orbisVersion: ORBIS_VERSION,
        lockWaitSec: request.lockWaitSec,
        onApplyStep: (what) => update(`applying: ${what}`),
        verifyRecord: (facts, desired) => recordedVerify(loaded, facts, desired.verify.map((v) => v.check)),
      },
      {
        deadlineSec: loaded.settings.SSH_DELAI_CONFIRMATION,
        reconnect: (readyTimeoutMs) => connect(host.target, { ...byKey, readyTimeoutMs }),
        progress: update,
      },
    );
    transport = guarded.transport as SshTransport;
    add(spent, guarded.spent);
    if (guarded.access) (access ??= { login: 'key' }).guard = guarded.access;
    const report = hostReportOfPhases(host.name, guarded.phases, counters(transport), startedAt, request.checkStatus, connectMs);
    const firstFacts = guarded.phases[0]?.facts;
    if (firstFacts && report.changes.length > 0) {
      report.onAir = onAirEffect({
        handlers: guarded.phases.flatMap((p) => p.plan.handlers),
        platforms: loaded.platforms,
        // Not probed (a run of other roles): as if it streamed, the announcement errs on the safe side.
        streaming: (firstFacts.units['orbis.service']?.active ?? 'active') === 'active',
        pushReconnectSec: loaded.settings.NGINX_DELAI_RECONNEXION_PUSH,
      });
    }
    report.changes.unshift(...bootstrapChanges);
    if (bootstrapChanges.some((c) => c.status === 'applied') && report.status === 'ok') report.status = 'changed';
    if (bootstrapChanges.length > 0 && request.mode === 'check' && report.status === 'ok') report.status = request.checkStatus;
    if (access) report.access = access;
    const last = guarded.phases[guarded.phases.length - 1];
    if (request.mode === 'apply' && request.verify && last && !guarded.phases.some((p) => p.failure)) {
      const verifyStarted = Date.now();
      // A run whose roles list no check verifies nothing: its verify time is 0, not the
      // millisecond a busy machine takes to find that out (CI once failed on exactly that).
      const verified = await verifyAfterApply(report, guarded.phases, loaded, transport, request.verify, update);
      if (report.phasesMs && verified) report.phasesMs.verify = Date.now() - verifyStarted;
    }
    // The run's script started (it may have changed files) and the host failed: put it back.
    const undo = [...guarded.phases].reverse().find((p) => p.runId !== undefined)?.runId;
    if (request.rollbackOnFail && undo !== undefined && report.status === 'failed') {
      const { rollbackAndVerify } = await import('./rollback-host.js');
      const done = await rollbackAndVerify(transport, {
        mode: 'apply',
        request: { undo },
        secretValues: secrets,
        lockWaitSec: request.lockWaitSec,
        ...(request.verify ? { verify: request.verify } : {}),
        update: (m) => update(`rollback: ${m}`),
      });
      report.rollback = done.outcome;
    }
    report.durationMs = Date.now() - startedAt;
    report.roundTrips = counters(transport).roundTrips;
    return report;
  } catch (error) {
    const { roundTrips, connections } = counters(transport);
    const report = errorReport(host.name, error, secrets, startedAt, roundTrips, connections);
    report.changes.push(...bootstrapChanges);
    if (access) report.access = access;
    return report;
  } finally {
    await transport.close();
  }
}

/** How a run's result is verified, kept in its record: a rollback to it verifies the same way. */
function recordedVerify(loaded: LoadedSettings, facts: HostRun['facts'], checks: string[]): RecordedVerify | undefined {
  if (checks.length === 0) return undefined;
  const { secrets: _keys, ...input } = verifyInputFrom(loaded, { encoder: decideEncoder(loaded.encode, facts).encoder });
  return { checks: [...new Set(checks)], input };
}

function add(into: { roundTrips: number; connections: number }, more: { roundTrips: number; connections: number }): void {
  into.roundTrips += more.roundTrips;
  into.connections += more.connections;
}

/** The roles of this host's run: a host whose SSH_DURCISSEMENT is false is not hardened by a bootstrap. */
function rolesFor(loaded: LoadedSettings, request: RunRequest, roles: LoadedRole[]): LoadedRole[] {
  const implicit = request.bootstrap?.harden === true && !(request.roles ?? []).includes(HARDENING_ROLE);
  if (!implicit || loaded.settings.SSH_DURCISSEMENT) return roles;
  return roles.filter((r) => r.spec.name !== HARDENING_ROLE);
}

/**
 * The verify step at the end of a run: the checks the applied roles list (none listed: no
 * verify, e.g. `--roles ffmpeg`). A failed check fails the host.
 */
async function verifyAfterApply(
  report: HostReport,
  phases: readonly HostRun[],
  loaded: LoadedSettings,
  transport: Transport,
  options: Omit<VerifyOptions, 'progress' | 'checks'>,
  update: (m: string) => void,
): Promise<boolean> {
  const checks = [...new Set(phases.flatMap((p) => p.desired.verify.map((v) => v.check)))];
  const run = phases[phases.length - 1];
  if (checks.length === 0 || run === undefined) return false;
  const { verifyHost, verifyInputFrom } = await import('../verify/index.js');
  const input = verifyInputFrom(loaded, { encoder: decideEncoder(loaded.encode, run.facts).encoder });
  report.verify = await verifyHost(transport, input, { ...options, checks, progress: (m) => update(`verify: ${m}`) });
  const failed = report.verify.filter((r) => r.status === 'fail').map((r) => r.name);
  if (failed.length > 0) {
    report.status = 'failed';
    report.error = {
      message: `verify: ${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}`,
      hint: `see each check's hint below; \`orbis verify ${report.name}\` runs them again`,
    };
  }
  return true;
}
