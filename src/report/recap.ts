// The terminal recap after a run: one row per host, then what failed and what to do.
import type { HostReport, RunReport } from './result.js';

/** Rows of cells as left-aligned columns (the first row is the header). */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function formatHostError(host: HostReport): string | undefined {
  if (!host.error) return undefined;
  const where = [host.error.role, host.error.resource].filter(Boolean).join(' / ');
  return `${host.name}${where ? ` [${where}]` : ''}: ${host.error.message}${host.error.hint ? `\n  hint: ${host.error.hint}` : ''}`;
}

export function formatRecap(report: RunReport): string {
  const rows = [['HOST', 'STATUS', 'CHANGES', 'HANDLERS', 'ROUND TRIPS', 'TIME']];
  for (const h of report.hosts) {
    rows.push([h.name, h.status, String(h.changes.length), String(h.handlers.length), String(h.roundTrips), seconds(h.durationMs)]);
  }
  const s = report.summary;
  const counts = (['ok', 'changed', 'drift', 'failed', 'unreachable', 'skipped'] as const)
    .filter((k) => s[k] > 0)
    .map((k) => `${s[k]} ${k}`)
    .join(', ');
  const errors = report.hosts.map(formatHostError).filter((e): e is string => e !== undefined);
  return [table(rows), '', `${s.hosts} host${s.hosts === 1 ? '' : 's'}: ${counts || 'none'} in ${seconds(s.durationMs)}`, ...(errors.length > 0 ? ['', ...errors] : [])].join('\n') + '\n';
}
