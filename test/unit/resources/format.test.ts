import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/redact/secret.js';
import { formatChanges } from '../../../src/resources/format.js';
import type { Change } from '../../../src/resources/types.js';
import { id } from './fixtures.js';

const CHANGES: Change[] = [
  { id: id('package', 'nginx', 'nginx-rtmp'), summary: 'install', actions: [{ op: 'apt-install', packages: ['nginx'] }] },
  {
    id: id('service', 'nginx.service', 'nginx-rtmp'),
    summary: 'enable and start after package nginx is installed',
    actions: [],
    assumptions: ['assumes package nginx, installed by an earlier step, ships nginx.service'],
  },
  {
    id: id('file', '/etc/orbis/orbis.conf', 'orbis-service'),
    summary: 'update (content +1 -1)',
    actions: [],
    diff: '--- a/etc/orbis/orbis.conf\n+++ b/etc/orbis/orbis.conf\n@@ -1 +1 @@\n-A=1\n+A=2\n',
  },
  { id: id('service', 'btfs.service', 'btfs'), summary: 'cannot be planned', actions: [], error: 'unit btfs.service not found' },
];

describe('formatChanges', () => {
  it('one line per change, assumptions and errors under it, diffs indented', () => {
    expect(formatChanges(CHANGES)).toBe(
      [
        'nginx-rtmp / package nginx: install',
        'nginx-rtmp / service nginx.service: enable and start after package nginx is installed',
        '  - assumes package nginx, installed by an earlier step, ships nginx.service',
        'orbis-service / file /etc/orbis/orbis.conf: update (content +1 -1)',
        '    --- a/etc/orbis/orbis.conf',
        '    +++ b/etc/orbis/orbis.conf',
        '    @@ -1 +1 @@',
        '    -A=1',
        '    +A=2',
        'btfs / service btfs.service: cannot be planned',
        '  ! unit btfs.service not found',
        '',
      ].join('\n'),
    );
  });

  it('without diffs', () => {
    expect(formatChanges(CHANGES, { diff: false })).not.toContain('+++');
  });

  it('nothing to change: empty text', () => {
    expect(formatChanges([])).toBe('');
  });

  it('masks given secrets anywhere, as a last line of defence', () => {
    const leaky: Change = { id: id('command', 'x'), summary: 'run: echo hunter2', actions: [] };
    expect(formatChanges([leaky], { secrets: [new Secret('hunter2')] })).toBe('test / command x: run: echo ********\n');
  });
});
