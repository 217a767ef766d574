// Live status of hosts: per host, one SSH connection kept open across refreshes, and ONE round
// trip (the status script) per refresh. A host that stops answering is reported unreachable and
// connected to again at the next refresh.
import { hostErrorOf } from '../report/result.js';
import { connect, ConnectionLostError, HostKeyError, isAuthFailure, UnreachableError, type SshConnectOptions, type Transport } from '../transport/index.js';
import { redact } from '../redact/push-targets.js';
import type { VerifyTarget } from '../verify/hosts.js';
import { ORBIS_VERSION } from '../version.js';
import { deriveLive } from './derive.js';
import { parseStatusOutput, type StatusObservations } from './parse.js';
import { buildStatusScript } from './script.js';
import type { HostLive, LiveStatus, StatusInput, StatusReport } from './types.js';

/** Bounds a refresh: the gateway probe alone may take 10 s when the gateway hangs. */
const SCRIPT_TIMEOUT_SEC = 30;

export class StatusScriptError extends Error {}

/** Run the status script once over an open transport (one round trip). */
export async function observe(transport: Transport, input: StatusInput): Promise<StatusObservations> {
  const result = await transport.exec('bash -s', { sudo: true, stdin: buildStatusScript(input), timeoutSec: SCRIPT_TIMEOUT_SEC, label: 'status' });
  const o = parseStatusOutput(result.stdout);
  if (!o.complete) {
    const tail = redact(result.stderr.trim().split('\n').slice(-3).join(' / '), input.secrets);
    throw new StatusScriptError(`the status script stopped early (exit ${result.code ?? result.signal ?? 'unknown'}${result.timedOut ? ', timed out' : ''})${tail ? `: ${tail}` : ''}`);
  }
  return o;
}

export function failedLive(name: string, error: unknown, input: Pick<StatusInput, 'secrets'>, roundTrips: number): HostLive {
  const unreachable = error instanceof UnreachableError || error instanceof HostKeyError || error instanceof ConnectionLostError;
  const { message, hint } = hostErrorOf(error);
  return {
    name,
    status: isAuthFailure(error) ? 'auth-failed' : unreachable ? 'unreachable' : 'down',
    at: new Date().toISOString(),
    platforms: [],
    units: [],
    problems: [],
    roundTrips,
    error: { message: redact(message, input.secrets), ...(hint ? { hint: redact(hint, input.secrets) } : {}) },
  };
}

/** One host, watched: connects on first use and again after a lost connection. */
export class HostWatcher {
  #transport: Transport | undefined;

  constructor(
    readonly host: VerifyTarget,
    readonly input: StatusInput,
    private readonly connectOptions: SshConnectOptions,
  ) {}

  get connections(): number {
    return this.#transport?.connections ?? 0;
  }

  /** An open connection (one more round trip counted when it has to connect). */
  async transport(): Promise<Transport> {
    this.#transport ??= await connect(this.host.target, { ...this.host.connect, ...this.connectOptions, name: this.host.name });
    return this.#transport;
  }

  async refresh(): Promise<HostLive> {
    const before = this.#transport?.roundTrips ?? 0;
    let transport: Transport | undefined;
    try {
      transport = await this.transport();
      const o = await observe(transport, this.input);
      return deriveLive(this.host.name, this.input, o, new Date(), transport.roundTrips - before);
    } catch (error) {
      const roundTrips = (transport?.roundTrips ?? 0) - before;
      if (!(error instanceof StatusScriptError)) await this.close();
      return failedLive(this.host.name, error, this.input, roundTrips);
    }
  }

  async close(): Promise<void> {
    const t = this.#transport;
    this.#transport = undefined;
    await t?.close().catch(() => undefined);
  }
}

/** Run `fn` over `items`, at most `limit` at once, keeping their order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
  });
  await Promise.all(workers);
  return results;
}

export function statusReport(hosts: HostLive[]): StatusReport {
  const summary = { ok: 0, degraded: 0, down: 0, unreachable: 0, 'auth-failed': 0, hosts: hosts.length } as Record<LiveStatus, number> & { hosts: number };
  for (const h of hosts) summary[h.status] += 1;
  return { command: 'status', orbisVersion: ORBIS_VERSION, at: new Date().toISOString(), hosts, summary };
}

/** One refresh of every host (concurrently, up to `concurrency`). */
export async function refreshAll(watchers: readonly HostWatcher[], concurrency: number): Promise<StatusReport> {
  return statusReport(await mapLimited(watchers, concurrency, (w) => w.refresh()));
}

/** 0 when every host is ok, 1 otherwise (degraded, down or unreachable). */
export function statusExitCode(report: StatusReport): number {
  return report.hosts.every((h) => h.status === 'ok') ? 0 : 1;
}
