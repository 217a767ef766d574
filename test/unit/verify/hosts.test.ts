import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/index.js';
import { exitCodeOf } from '../../../src/report/result.js';
import { verifyHosts } from '../../../src/verify/hosts.js';
import { DLIVE_KEY, KICK_KEY } from './helpers.js';

describe('verifyHosts', () => {
  it('a host that cannot be reached is unreachable (exit 1), the others are still verified', async () => {
    const loaded = loadSettings({ env: { ORBIS_DLIVE_CLE_FLUX: DLIVE_KEY, ORBIS_KICK_CLE_FLUX: KICK_KEY } });
    const report = await verifyHosts({
      hosts: [{ name: 'nowhere', target: 'pi@127.0.0.1:1' }],
      settingsFor: () => loaded,
      connect: { configFile: '/dev/null', knownHostsFile: '/dev/null' },
      verify: { retryTimeoutSec: 0 },
      concurrency: 2,
      quiet: true,
    });
    expect(report.command).toBe('verify');
    expect(report.hosts).toHaveLength(1);
    expect(report.hosts[0]).toMatchObject({ name: 'nowhere', status: 'unreachable', verify: [], roundTrips: 0 });
    expect(report.hosts[0]?.error?.message).toBeTruthy();
    expect(exitCodeOf(report)).toBe(1);
  });
});
