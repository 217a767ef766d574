// The plan as plain text for `orbis provision --check` and `orbis check`:
//
//   nginx-rtmp / package nginx: install
//   nginx-rtmp / service nginx.service: enable and start after package nginx is installed
//     - assumes package nginx, installed by an earlier step, ships nginx.service
//   orbis-service / file /etc/orbis/orbis.conf: update (content +1 -1)
//       --- a/etc/orbis/orbis.conf
//       +++ b/etc/orbis/orbis.conf
//       ...
//   btfs / service btfs.service: cannot be planned
//     ! unit btfs.service not found ...
//
// Pure: returns the text ('' for no changes; the caller says "in sync" in its own words). Changes
// arrive masked from planAll; `secrets` masks the whole text once more, as a last line of defence.
import { maskSecrets, type Secret } from '../redact/secret.js';
import type { Change } from './types.js';

export interface FormatOptions {
  /** Show unified diffs of file content (default true). */
  diff?: boolean;
  /** Values masked anywhere in the output. */
  secrets?: Iterable<string | Secret>;
}

export function formatChanges(changes: readonly Change[], options: FormatOptions = {}): string {
  const lines: string[] = [];
  for (const change of changes) {
    const { role, type, name } = change.id;
    lines.push(`${role} / ${type} ${name}: ${change.summary}`);
    if (change.error !== undefined) lines.push(`  ! ${change.error}`);
    for (const assumption of change.assumptions ?? []) lines.push(`  - ${assumption}`);
    if (options.diff !== false && change.diff !== undefined && change.diff !== '') {
      for (const line of change.diff.replace(/\n$/, '').split('\n')) lines.push(`    ${line}`);
    }
  }
  if (lines.length === 0) return '';
  const text = `${lines.join('\n')}\n`;
  return options.secrets === undefined ? text : maskSecrets(text, options.secrets);
}
