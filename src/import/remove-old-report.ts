// What `orbis import --remove-old` tells the user: removed (with the archive and how to restore
// it), nothing left, or refused and why (a blocker, or the verify checks that failed).
import type { VerifyResult } from '../report/result.js';
import type { Finding } from './findings.js';
import type { RemovalOutcome, RemovalPlan } from './remove-old.js';

export type RemoveOldStatus = 'removed' | 'nothing' | 'refused' | 'failed';

export interface RemoveOldReport {
  command: 'import --remove-old';
  host: string;
  target: string;
  status: RemoveOldStatus;
  /** Why nothing was removed (refused). */
  blockers: Finding[];
  verify: VerifyResult[];
  /** What was (or, when refused, would have been) removed. */
  remove: string[];
  removed: string[];
  kept: RemovalPlan['keep'];
  disabled: string[];
  archive?: { path: string; bytes: number; restore: string };
  error?: string;
  roundTrips: number;
}

export function removeOldReport(input: {
  host: string;
  target: string;
  status: RemoveOldStatus;
  plan: RemovalPlan;
  verify?: VerifyResult[];
  outcome?: RemovalOutcome & { error?: string };
  roundTrips: number;
}): RemoveOldReport {
  const { plan, outcome } = input;
  return {
    command: 'import --remove-old',
    host: input.host,
    target: input.target,
    status: input.status,
    blockers: plan.blockers,
    verify: input.verify ?? [],
    remove: plan.remove,
    removed: outcome?.removed ?? [],
    kept: plan.keep,
    disabled: outcome?.disabled ?? [],
    ...(outcome?.archive ? { archive: { ...outcome.archive, restore: `sudo tar --extract --gzip --preserve-permissions --file ${outcome.archive.path} -C /` } } : {}),
    ...(outcome?.error ? { error: outcome.error } : {}),
    roundTrips: input.roundTrips,
  };
}

export function formatRemoveOldReport(r: RemoveOldReport): string {
  const out: string[] = [`== ${r.host} (${r.target}): `];
  switch (r.status) {
    case 'nothing':
      out[0] += "nothing of upstream Orbis's is left to remove";
      break;
    case 'refused': {
      out[0] += 'nothing was removed';
      for (const b of r.blockers) out.push(`  ${b.message}${b.hint ? ` (hint: ${b.hint})` : ''}`);
      const failed = r.verify.filter((v) => v.status === 'fail');
      if (failed.length > 0) {
        out.push(`  the orbis-managed stack does not verify (${failed.length} check${failed.length === 1 ? '' : 's'} failed):`);
        for (const v of failed) out.push(`    FAIL ${v.name}: ${v.value ?? ''}${v.hint ? ` (hint: ${v.hint})` : ''}`);
        out.push('  fix that first (`orbis verify`, `orbis provision`), then run --remove-old again');
      }
      out.push('  would remove:', ...r.remove.map((p) => `    ${p}`));
      break;
    }
    case 'removed':
    case 'failed':
      out[0] += r.status === 'removed' ? `verified (${r.verify.length} checks, none failed), upstream's files removed` : 'the removal did not complete';
      if (r.error) out.push(`  ${r.error}`);
      if (r.archive) out.push(`  archived first on the Pi: ${r.archive.path} (${r.archive.bytes} bytes, root only; it holds the old keys)`, `  to put them back: ${r.archive.restore}`);
      if (r.removed.length > 0) out.push('  removed:', ...r.removed.map((p) => `    ${p}`));
      if (r.disabled.length > 0) out.push(`  disabled: ${r.disabled.join(', ')}`);
      break;
  }
  if (r.kept.length > 0) out.push('  kept:', ...r.kept.map((k) => `    ${k.path}: ${k.why}`));
  return `${out.join('\n')}\n`;
}
