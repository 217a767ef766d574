// `orbis reconnect` over several hosts: per host connect -> reconnect -> report, concurrently,
// progress on stderr; and the terminal form of the report.
import { table } from '../report/recap.js';
import { runHostsWithProgress } from '../report/progress.js';
import { hostErrorOf, type HostReport } from '../report/result.js';
import { connect, HostKeyError, isAuthFailure, UnreachableError, type Transport } from '../transport/index.js';
import { redact } from '../redact/push-targets.js';
import { ORBIS_VERSION } from '../version.js';
import { ReconnectError, reconnectHost, type ReconnectOptions, type ReconnectOutcome } from './reconnect.js';
import type { LiveHosts } from './types.js';

export interface ReconnectHostReport extends Partial<ReconnectOutcome> {
  name: string;
  status: 'ok' | 'failed' | 'unreachable' | 'auth-failed';
  roundTrips: number;
  error?: { message: string; hint?: string };
}

export interface ReconnectReport {
  command: 'reconnect';
  orbisVersion: string;
  hosts: ReconnectHostReport[];
}

const LABEL = { dlive: 'DLive', kick: 'Kick' } as const;

async function one(live: LiveHosts, name: string, options: Omit<ReconnectOptions, 'progress'>, update: (m: string) => void): Promise<ReconnectHostReport> {
  const host = live.hosts.find((h) => h.name === name)!;
  const input = live.inputFor(host);
  let transport: Transport | undefined;
  const failed = (error: unknown): ReconnectHostReport => {
    const { message, hint } = error instanceof ReconnectError ? { message: error.message, hint: error.hint } : hostErrorOf(error);
    const unreachable = error instanceof UnreachableError || error instanceof HostKeyError;
    return { name, status: isAuthFailure(error) ? 'auth-failed' : unreachable ? 'unreachable' : 'failed', roundTrips: transport?.roundTrips ?? 0, error: { message: redact(message, input.secrets), ...(hint ? { hint: redact(hint, input.secrets) } : {}) } };
  };
  try {
    update('connecting');
    transport = await connect(host.target, { ...host.connect, ...live.connect, name });
    const outcome = await reconnectHost(name, transport, input, { ...options, progress: update });
    const late = outcome.platforms.filter((p) => !p.reconnected);
    return {
      name,
      status: late.length === 0 ? 'ok' : 'failed',
      ...outcome,
      roundTrips: transport.roundTrips,
      ...(late.length > 0
        ? { error: { message: `${late.map((p) => LABEL[p.platform]).join(' and ')} not connected again within ${options.timeoutSec} s`, hint: `nginx-rtmp keeps retrying; see why with \`orbis status ${name}\`` } }
        : {}),
    };
  } catch (error) {
    return failed(error);
  } finally {
    await transport?.close().catch(() => undefined);
  }
}

export async function reconnectHosts(live: LiveHosts, options: Omit<ReconnectOptions, 'progress'>, concurrency: number): Promise<ReconnectReport> {
  const reports = new Map<string, ReconnectHostReport>();
  await runHostsWithProgress(
    live.hosts.map((h) => h.name),
    async (name, update) => {
      const r = await one(live, name, options, update);
      reports.set(name, r);
      // The progress list wants a HostReport: its title shows the status.
      return { name, status: r.status, changes: [], handlers: [], verify: [], roundTrips: r.roundTrips, connections: 1, durationMs: 0 } satisfies HostReport;
    },
    { concurrency },
  );
  return { command: 'reconnect', orbisVersion: ORBIS_VERSION, hosts: live.hosts.map((h) => reports.get(h.name)!) };
}

export function formatReconnect(report: ReconnectReport): string {
  const rows = [['HOST', 'STATUS', 'RECONNECTED', 'NOT TOUCHED']];
  const details: string[] = [];
  for (const h of report.hosts) {
    const done = (h.platforms ?? []).map((p) => `${LABEL[p.platform]} ${p.reconnected ? `in ${p.afterSec} s` : 'NO'}${p.dropped === 0 ? ' (was not connected)' : ''}`);
    const others = (h.others ?? []).map((p) => `${LABEL[p.platform]} ${p.untouched ? 'connected throughout' : p.state}`);
    rows.push([h.name, h.status, done.join(', ') || '-', others.join(', ') || '-']);
    if (h.error) details.push(`${h.name}: ${h.error.message}${h.error.hint ? `\n  hint: ${h.error.hint}` : ''}`);
  }
  return [table(rows), ...(details.length > 0 ? ['', ...details] : [])].join('\n') + '\n';
}
