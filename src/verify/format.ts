// The terminal form of a host's verify results: one row per check (check, status, value), the
// hint under each row that did not pass. Values are already masked.
import type { VerifyResult } from './types.js';

const MARK: Record<VerifyResult['status'], string> = { pass: 'pass', warn: 'WARN', fail: 'FAIL' };

export function formatVerifyTable(host: string, results: readonly VerifyResult[]): string {
  const width = Math.max(5, ...results.map((r) => r.name.length));
  const counts = (['pass', 'warn', 'fail'] as const).map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(', ');
  const lines = [`== ${host}: ${counts}`, `${'CHECK'.padEnd(width)}  STATUS  VALUE`];
  for (const r of results) {
    lines.push(`${r.name.padEnd(width)}  ${MARK[r.status].padEnd(6)}  ${r.value ?? ''}`.trimEnd());
    if (r.status !== 'pass' && r.hint) lines.push(`${' '.repeat(width)}  ${''.padEnd(6)}  hint: ${r.hint}`);
  }
  return lines.join('\n') + '\n';
}
