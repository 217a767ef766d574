// What `orbis demo` reports: the `--json` shape, and its words for a person. Plain data in,
// text out; every value in it is already masked (recording names hold the keys: see
// recordings.ts).
import type { VerifyResult } from '../report/result.js';
import { shCommand } from '../util/shell.js';
import type { StreamArrival } from './recordings.js';

export interface DemoReport {
  ok: boolean;
  lab: { name: string; subnet: string; kept: boolean; upMs?: number; downMs?: number };
  pi?: { target: string; address: string };
  /** Where the demo's configuration is (only while the lab exists: it lives in the lab). */
  conf?: string;
  provision?: { status: string; changes: number; roundTrips: number; durationMs: number; verify: VerifyResult[] };
  stream: StreamArrival[];
  /** Commands to go on with a kept lab, as argv lists (none holds a key). */
  next?: Record<'ssh' | 'check' | 'verify' | 'down', string[]>;
  error?: { message: string; hint?: string };
  /** The demo's whole output (apt's, the lab's, orbis provision's). */
  log?: string;
  durationMs: number;
}

const PLATFORM_LABEL: Record<StreamArrival['platform'], string> = { dlive: 'DLive', kick: 'Kick' };

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** One line per platform, and what the recording holds under it. */
export function formatArrivals(arrivals: readonly StreamArrival[]): string {
  return arrivals
    .map((a) => {
      const line = `  ${PLATFORM_LABEL[a.platform]} stand-in (${a.ingest}): ${a.file}, ${formatBytes(a.bytes)}, +${formatBytes(a.grewBytes)} in the last ${formatDuration(a.watchedMs)}`;
      return a.media ? `${line}\n    ${a.media}` : line;
    })
    .join('\n');
}

export function verifyCounts(results: readonly VerifyResult[]): Record<VerifyResult['status'], number> {
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const r of results) counts[r.status] += 1;
  return counts;
}

/** The closing words: what happened, where things are, what to do next (`cli` runs orbis). */
export function formatSummary(report: DemoReport, cli: readonly string[]): string {
  const out: string[] = [];
  if (!report.ok) {
    out.push(`The demo failed after ${formatDuration(report.durationMs)}: ${report.error?.message ?? 'unknown error'}`);
    if (report.error?.hint) out.push(`  hint: ${report.error.hint}`);
    if (report.log) out.push(`  its whole output: ${report.log}`);
  } else {
    out.push(`Done in ${formatDuration(report.durationMs)}. What happened:`);
    const p = report.provision;
    if (p) {
      const c = verifyCounts(p.verify);
      const warned = p.verify.filter((r) => r.status === 'warn').map((r) => r.name);
      out.push(
        `  - orbis provisioned a fresh Pi-like host over SSH: ${p.changes} changes in ${formatDuration(p.durationMs)}, ${p.roundTrips} SSH round trips`,
        `  - then verified it: ${c.pass} checks passed, ${c.warn} warning${c.warn === 1 ? '' : 's'}${warned.length > 0 ? ` (${warned.join(', ')})` : ''}, ${c.fail} failed`,
      );
    }
    if (report.stream.length > 0) {
      out.push(`  - the stream, encoded once on the Pi, reached the stand-in ${report.stream.map((a) => PLATFORM_LABEL[a.platform]).join(' and ')} (Kick over TLS, through stunnel)`);
    }
    out.push('  - the stream keys (demo keys) were never shown');
  }
  if (report.lab.kept && report.next) {
    out.push('', `The lab "${report.lab.name}" is still up (--keep)${report.ok ? ' and the Pi keeps streaming' : ' as the failure left it'}. As root:`);
    out.push(`  ${shCommand(report.next.ssh)}`, '      # a shell on the Pi (sudo works without a password)');
    out.push(`  ${shCommand(report.next.check)}`, '      # drift check: "in sync" (exit 0) until something on the Pi changes');
    out.push(`  ${shCommand(report.next.verify)}`, '      # the verify checks again');
    out.push(`  ${shCommand(report.next.down)}`, '      # remove the lab');
  } else if (report.lab.downMs !== undefined) {
    out.push(`The lab is gone (torn down in ${formatDuration(report.lab.downMs)}).`);
  }
  if (report.ok) {
    const orbis = shCommand(cli);
    out.push('', `Next, your own Pi (README.md, "Your own Pi"): \`${orbis} init\`, then \`${orbis} provision pi@raspberrypi.local\`.`);
  }
  return `${out.join('\n')}\n`;
}
