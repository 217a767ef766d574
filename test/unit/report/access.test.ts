// How a first contact and the access guard show in the recap, and how a run in parts is reported.
import { describe, expect, it } from 'vitest';
import { formatAccess, formatRecap } from '../../../src/report/recap.js';
import type { HostReport, RunReport } from '../../../src/report/result.js';
import { summarize } from '../../../src/report/result.js';

const host = (extra: Partial<HostReport>): HostReport => ({
  name: 'salon',
  status: 'changed',
  changes: [],
  handlers: [],
  verify: [],
  roundTrips: 5,
  connections: 3,
  durationMs: 1000,
  ...extra,
});

describe('the access line of the recap', () => {
  it('says how orbis got in when it had to: password, key installed, SSH change confirmed', () => {
    const line = formatAccess(host({
      access: {
        login: 'password',
        key: { fingerprint: 'SHA256:abc', type: 'ssh-ed25519', source: '/home/me/.ssh/orbis_ed25519', added: true },
        guard: { outcome: 'confirmed', roles: ['ssh'], deadlineSec: 60, afterSec: 0.9, attempts: 1, message: 'confirmed over a new connection 0.9 s after the change (deadline 60 s)' },
      },
    }));
    expect(line).toBe(
      'salon: logged in by password; installed the ssh-ed25519 key SHA256:abc (/home/me/.ssh/orbis_ed25519), then logged in by key; ' +
        'the change of ssh was confirmed over a new connection 0.9 s after the change (deadline 60 s)',
    );
  });

  it('says nothing for a plain key login, and leaves an undone change to the host\'s error', () => {
    expect(formatAccess(host({ access: { login: 'key' } }))).toBeUndefined();
    const failed = host({
      status: 'failed',
      access: { login: 'key', guard: { outcome: 'rolled-back', roles: ['ssh'], deadlineSec: 20, afterSec: 20, attempts: 9, message: 'the host restored its previous configuration by itself 20 s after the change' } },
      error: { message: 'the host restored its previous configuration by itself 20 s after the change', resource: 'access guard', role: 'ssh' },
    });
    expect(formatAccess(failed)).toBeUndefined();
    const report: RunReport = { command: 'provision', mode: 'apply', orbisVersion: '0', hosts: [failed], summary: summarize([failed], 1000) };
    expect(formatRecap(report).match(/restored its previous configuration/g)).toHaveLength(1);
  });
});
