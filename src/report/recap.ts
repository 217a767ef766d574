// The terminal recap after a run: one row per host, then what failed and what to do.
import { isDryRun, outcomeWord } from './outcome.js';
import type { HostReport, RunReport } from './result.js';

/** Rows as aligned columns (the first row is the header). */
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

/** How a rollback went, in one line (after a failed apply, or `orbis rollback`). */
export function formatRollback(host: HostReport): string | undefined {
  const r = host.rollback;
  // `orbis rollback` reports a rollback that could not happen as the host's own error, once.
  if (!r || (r.error && r.error.message === host.error?.message)) return undefined;
  const to = r.to ? `run ${r.to.id} (${r.to.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')})` : '';
  const files = r.changes ? `, ${r.changes.filter((c) => c.status === 'applied' || c.status === 'planned').length} change(s)` : '';
  const handlers = r.handlers && r.handlers.length > 0 ? `, ran ${r.handlers.join(', ')}` : '';
  const verify = r.verified === undefined ? '' : r.verified ? '; verify passed' : `; verify FAILED: ${(r.verify ?? []).filter((v) => v.status === 'fail').map((v) => v.name).join(', ')}`;
  switch (r.status) {
    case 'rolled-back':
      return `${host.name}: rolled back to ${to}${files}${handlers}${verify}`;
    case 'planned':
      return undefined; // the plan itself is printed, host by host
    case 'current':
      return `${host.name}: already on the generation asked for, nothing to undo`;
    case 'failed':
      return `${host.name}: rollback${to ? ` to ${to}` : ''} FAILED: ${r.error?.message ?? 'unknown error'}${r.error?.hint ? `\n  hint: ${r.error.hint}` : ''}`;
    case 'unavailable':
      return `${host.name}: not rolled back: ${r.error?.message ?? 'nothing to go back to'}`;
  }
}

/** How orbis got into a host, when it had to do something about it (first contact, access guard). */
export function formatAccess(host: HostReport): string | undefined {
  const access = host.access;
  if (!access || (access.login === 'key' && !access.guard && !access.key)) return undefined;
  const parts: string[] = [];
  if (access.login === 'password') parts.push('logged in by password');
  if (access.key) parts.push(`${access.key.added ? 'installed' : 'found'} the ${access.key.type} key ${access.key.fingerprint} (${access.key.source}), then logged in by key`);
  // An undone change is the host's error already (formatHostError).
  if (access.guard?.outcome === 'confirmed') parts.push(`the change of ${access.guard.roles.join(', ')} was ${access.guard.message}`);
  if (parts.length === 0) return undefined;
  return `${host.name}: ${parts.join('; ')}`;
}

export function formatRecap(report: RunReport): string {
  const rows = [['HOST', 'STATUS', 'CHANGES', 'HANDLERS', 'ROUND TRIPS', 'TIME']];
  for (const h of report.hosts) {
    rows.push([h.name, outcomeWord(h), String(h.changes.length), String(h.handlers.length), String(h.roundTrips), seconds(h.durationMs)]);
  }
  const s = report.summary;
  // A dry run changed nothing: its hosts would change.
  const dryRun = report.hosts.some((h) => h.status === 'changed') && report.hosts.filter((h) => h.status === 'changed').every(isDryRun);
  const counts = (['ok', 'changed', 'drift', 'failed', 'unreachable', 'auth-failed', 'skipped'] as const)
    .filter((k) => s[k] > 0)
    .map((k) => `${s[k]} ${k === 'changed' && dryRun ? 'would change' : k}`)
    .join(', ');
  const errors = report.hosts.map(formatHostError).filter((e): e is string => e !== undefined);
  const accesses = report.hosts.map(formatAccess).filter((a): a is string => a !== undefined);
  const rollbacks = report.hosts.map(formatRollback).filter((e): e is string => e !== undefined);
  const rolledBack = s.rolledBack > 0 ? ` (${s.rolledBack} rolled back)` : '';
  return (
    [
      table(rows),
      ...(accesses.length > 0 ? ['', ...accesses] : []),
      '',
      `${s.hosts} host${s.hosts === 1 ? '' : 's'}: ${counts || 'none'}${rolledBack} in ${seconds(s.durationMs)}`,
      ...(errors.length > 0 ? ['', ...errors] : []),
      ...(rollbacks.length > 0 ? ['', ...rollbacks] : []),
    ].join('\n') + '\n'
  );
}
