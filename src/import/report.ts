// What `orbis import` tells the user: each of upstream's variables (carried, mapped, dropped or
// unset, and why), the values read from live files, the disagreements and how they were settled,
// what to watch out for, and the next commands. As text, or as one JSON document (--json).
// Built from the plan's data, in which stream keys are Secrets: they print as a mask.
import { formatIssue } from '../config/errors.js';
import { isSecret } from '../redact/secret.js';
import { SETTINGS } from '../config/settings.js';
import { sourceText } from './conf-writer.js';
import type { ImportPlan } from './plan.js';
import type { SourceRef } from './reconcile.js';

export interface ImportReport {
  command: 'import';
  host: string;
  target: string;
  upstream: { project: string; owner: string; files: string[]; playlists: string[] };
  written: { files: Array<{ path: string; mode: string; what: string }>; keys: 'conf' | 'secrets'; secrets: string[] } | null;
  variables: Array<{ variable: string; status: string; reason: string; line?: number; from?: string; replacedBy?: readonly string[] }>;
  settings: Array<{ name: string; value?: string; secret?: true; from: string; confirmedBy?: string[] }>;
  conflicts: Array<{ setting: string; kept: string; over: string[]; reason: string; values?: { kept: string; over: string[] } }>;
  findings: ImportPlan['findings'];
  problems: string[];
  summary: { carried: number; mapped: number; dropped: number; unset: number; conflicts: number; upstreamVariables: number };
  next: ImportPlan['next'];
  roundTrips: number;
}

const ref = (r: SourceRef): string => sourceText(r);

export function importReport(plan: ImportPlan, meta: { target: string; written: boolean; keys: 'conf' | 'secrets'; roundTrips: number }): ImportReport {
  const count = (status: string): number => plan.variables.filter((v) => v.status === status).length;
  return {
    command: 'import',
    host: plan.name,
    target: meta.target,
    upstream: {
      project: plan.install.project.dir,
      owner: plan.install.project.owner,
      files: [plan.install.conf.file.path, ...plan.install.systemFiles],
      playlists: plan.playlists.map((p) => p.source.path),
    },
    written: meta.written
      ? { files: plan.files.map((f) => ({ path: f.path, mode: f.mode.toString(8).padStart(4, '0'), what: f.what })), keys: meta.keys, secrets: plan.secrets.map((s) => s.name) }
      : null,
    variables: plan.variables.map((v) => ({
      variable: v.variable,
      status: v.status,
      reason: v.reason,
      ...(v.line === undefined ? {} : { line: v.line }),
      ...(v.from === undefined ? {} : { from: ref(v.from) }),
      ...(v.replacedBy === undefined ? {} : { replacedBy: v.replacedBy }),
    })),
    settings: [...plan.settings.values()].map((s) => ({
      name: s.name,
      ...(SETTINGS[s.name].secret || isSecret(s.value) ? { secret: true as const } : { value: s.value as string }),
      from: ref(s.from),
      ...(s.confirmedBy.length > 0 ? { confirmedBy: s.confirmedBy.map(ref) } : {}),
    })),
    conflicts: plan.conflicts.map((c) => ({ setting: c.setting, kept: ref(c.kept), over: c.over.map(ref), reason: c.reason, ...(c.values ? { values: c.values } : {}) })),
    findings: plan.findings,
    problems: plan.problems.map(formatIssue),
    summary: {
      carried: count('carried'),
      mapped: count('mapped'),
      dropped: count('dropped'),
      unset: count('unset'),
      conflicts: plan.conflicts.length,
      upstreamVariables: plan.variables.length,
    },
    next: plan.next,
    roundTrips: meta.roundTrips,
  };
}

export function formatImportReport(report: ImportReport): string {
  const out: string[] = [];
  out.push(`== ${report.host} (${report.target}): upstream Orbis in ${report.upstream.project} (user ${report.upstream.owner})`);
  out.push('', `Upstream's variables (${report.summary.upstreamVariables}): ${report.summary.carried} carried, ${report.summary.mapped} mapped, ${report.summary.dropped} dropped, ${report.summary.unset} unset`);
  const width = Math.max(...report.variables.map((v) => v.variable.length));
  for (const v of report.variables) {
    const target = v.replacedBy && v.replacedBy.length > 0 ? ` -> ${v.replacedBy.join(', ')}` : '';
    const from = v.status === 'carried' && v.from !== undefined && !v.from.includes('/conf/orbis.conf:') ? ` [from ${v.from}]` : '';
    out.push(`  ${v.status.padEnd(8)}${v.variable.padEnd(width)}${target}: ${v.reason}${from}`);
  }
  const fromLive = report.settings.filter((s) => !report.variables.some((v) => v.variable === s.name));
  if (fromLive.length > 0) {
    out.push('', "orbis's own settings, from upstream's files:");
    for (const s of fromLive) out.push(`  ${s.name}=${s.secret ? '********' : (s.value ?? '')}  [${s.from}]`);
  }
  if (report.conflicts.length > 0) {
    out.push('', `Disagreements (${report.conflicts.length}), settled:`);
    for (const c of report.conflicts) {
      const values = c.values ? ` (kept ${c.values.kept} over ${c.values.over.join(', ')})` : '';
      out.push(`  ${c.setting}${values}: ${c.reason}`);
    }
  }
  if (report.findings.length > 0) {
    out.push('', 'To know:');
    for (const f of report.findings) out.push(`  ${f.level === 'warn' ? 'WARN ' : ''}${f.message}${f.hint ? ` (hint: ${f.hint})` : ''}`);
  }
  if (report.problems.length > 0) {
    out.push('', 'orbis refuses these imported values (fix them in the written files):');
    for (const p of report.problems) out.push(`  ${p}`);
  }
  if (report.written) {
    out.push('', 'Wrote:');
    for (const f of report.written.files) out.push(`  ${f.path} (${f.what}, mode ${f.mode})`);
    if (report.written.secrets.length > 0) out.push(`  the stream keys into the secrets file as ${report.written.secrets.join(', ')}`);
  }
  out.push(
    '',
    'Next:',
    `  ${report.next.provision}       (or: ${report.next.apply})`,
    `  then, once it verifies: ${report.next.removeOld}`,
    '  (verifies the orbis-managed stack, backs upstream\'s files up on the Pi, then removes them)',
  );
  return `${out.join('\n')}\n`;
}
