// `orbis verify` over several hosts at once: per host connect -> verify -> report, concurrently,
// with listr2 progress on stderr. Settings come in through `settingsFor` (the CLI reads them
// once, as provision does), so this module knows nothing of options or files.
import type { LoadedSettings } from '../config/index.js';
import { runHostsWithProgress } from '../report/progress.js';
import { hostErrorOf, summarize, type HostReport, type RunReport } from '../report/result.js';
import { connect, HostKeyError, isAuthFailure, UnreachableError, type SshConnectOptions, type Transport } from '../transport/index.js';
import { ORBIS_VERSION } from '../version.js';
import { verifyInputFrom } from './input.js';
import { redact } from '../redact/push-targets.js';
import { verifyHost } from './run.js';
import type { VerifyOptions, VerifyResult } from './types.js';

export interface VerifyTarget {
  name: string;
  target: string;
  /** Per-host connection values (from the inventory); the command line's win. */
  connect?: Partial<SshConnectOptions>;
}

export interface VerifyHostsRequest {
  hosts: VerifyTarget[];
  settingsFor: (host: VerifyTarget) => LoadedSettings;
  connect: SshConnectOptions;
  verify: Omit<VerifyOptions, 'progress'>;
  concurrency: number;
  quiet?: boolean;
}

function failedChecks(results: readonly VerifyResult[]): string[] {
  return results.filter((r) => r.status === 'fail').map((r) => r.name);
}

/** A host not reached: `auth-failed` when it refused the login, `unreachable` otherwise. */
function notReached(error: unknown): 'auth-failed' | 'unreachable' | undefined {
  if (isAuthFailure(error)) return 'auth-failed';
  return error instanceof UnreachableError || error instanceof HostKeyError ? 'unreachable' : undefined;
}

function report(name: string, startedAt: number, transport: Pick<Transport, 'roundTrips' | 'connections'> | undefined, results: VerifyResult[], error?: HostReport['error'], unreached?: 'auth-failed' | 'unreachable'): HostReport {
  const failed = failedChecks(results);
  const status = unreached ?? (error || failed.length > 0 ? 'failed' : 'ok');
  const summary = failed.length > 0 ? { message: `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}` } : undefined;
  return {
    name,
    status,
    changes: [],
    handlers: [],
    verify: results,
    ...(error ? { error } : summary ? { error: summary } : {}),
    roundTrips: transport?.roundTrips ?? 0,
    connections: transport?.connections ?? 0,
    durationMs: Date.now() - startedAt,
  };
}

export async function verifyOneHost(host: VerifyTarget, request: VerifyHostsRequest, update: (message: string) => void): Promise<HostReport> {
  const startedAt = Date.now();
  const loaded = request.settingsFor(host);
  const input = verifyInputFrom(loaded);
  const mask = (e: HostReport['error']): HostReport['error'] =>
    e && { ...e, message: redact(e.message, input.secrets), ...(e.hint ? { hint: redact(e.hint, input.secrets) } : {}) };
  update('connecting');
  let transport;
  try {
    transport = await connect(host.target, { ...host.connect, ...request.connect, name: host.name });
  } catch (error) {
    return report(host.name, startedAt, undefined, [], mask(hostErrorOf(error)), notReached(error));
  }
  try {
    const results = await verifyHost(transport, input, { ...request.verify, progress: update });
    return report(host.name, startedAt, transport, results);
  } catch (error) {
    return report(host.name, startedAt, transport, [], mask(hostErrorOf(error)), error instanceof UnreachableError ? notReached(error) : undefined);
  } finally {
    await transport.close();
  }
}

export async function verifyHosts(request: VerifyHostsRequest): Promise<RunReport> {
  const startedAt = Date.now();
  // Settings are checked for every host before any is contacted (a typo fails fast, once).
  for (const host of request.hosts) request.settingsFor(host);
  const byName = new Map(request.hosts.map((h) => [h.name, h]));
  const hosts = await runHostsWithProgress(
    request.hosts.map((h) => h.name),
    (name, update) => verifyOneHost(byName.get(name) as VerifyTarget, request, update),
    { concurrency: request.concurrency, quiet: request.quiet ?? false },
  );
  return { command: 'verify', mode: 'check', orbisVersion: ORBIS_VERSION, hosts, summary: summarize(hosts, Date.now() - startedAt) };
}
