import { describe, expect, it } from 'vitest';
import { NO_PHASES, type HostReport } from '../../../src/report/result.js';
import { ansibleRecapOf, digestReport, peakRssOf, pressureTotalOf } from '../../bench/results.js';

function host(name: string, roundTrips: number, durationMs: number, phases: Partial<typeof NO_PHASES> | undefined, changes: HostReport['changes'] = []): HostReport {
  return { name, status: changes.length > 0 ? 'changed' : 'ok', changes, handlers: [], verify: [], roundTrips, connections: 1, durationMs, ...(phases ? { phasesMs: { ...NO_PHASES, ...phases } } : {}) };
}

describe('bench results', () => {
  it('digests a run report: worst round trips, slowest host, each phase\'s median over the hosts', () => {
    const d = digestReport({
      hosts: [host('a', 1, 300, { connect: 100, facts: 150, plan: 40 }), host('b', 2, 500, { connect: 300, facts: 160, plan: 30 }), host('c', 1, 400, { connect: 120, facts: 170, plan: 20 })],
      summary: { ok: 3, changed: 0, drift: 0, failed: 0, unreachable: 0, skipped: 0, hosts: 3, changes: 0, durationMs: 620 },
    });
    expect(d).toMatchObject({ statuses: { ok: 3 }, roundTripsMax: 2, connectionsMax: 1, runMs: 620, slowestHostMs: 500, packages: [] });
    expect(d.phasesMedianMs).toEqual({ ...NO_PHASES, connect: 120, facts: 160, plan: 30 });
  });

  it('lists the packages the first host installed (the apt-get baseline installs the same)', () => {
    const change = (type: string, name: string) => ({ role: 'r', type, name, summary: 'install', status: 'applied' as const });
    const d = digestReport({
      hosts: [host('a', 2, 1, undefined, [change('package', 'ffmpeg'), change('file', '/etc/x'), change('package', 'nginx')])],
      summary: { ok: 0, changed: 1, drift: 0, failed: 0, unreachable: 0, skipped: 0, hosts: 1, changes: 3, durationMs: 1 },
    });
    expect(d.packages).toEqual(['ffmpeg', 'nginx']);
    // A host that never reached its phases (unreachable) does not pull the medians to 0.
    expect(d.phasesMedianMs).toEqual(NO_PHASES);
  });

  it('reads GNU time %M lines, skipping its other messages', () => {
    expect(peakRssOf('81234\n90000\nCommand exited with non-zero status 2\n85000\n')).toBe(90000);
    expect(peakRssOf('')).toBeUndefined();
  });

  it('reads ansible-playbook\'s PLAY RECAP of one host', () => {
    const output = [
      'TASK [orbis enabled] ***',
      'ok: [peer1]',
      '',
      'PLAY RECAP *********************************************************************',
      'peer1                      : ok=21   changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
      'peer10                     : ok=20   changed=3    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0   ',
    ].join('\n');
    expect(ansibleRecapOf(output, 'peer1')).toEqual({ ok: 21, changed: 0, unreachable: 0, failed: 0 });
    expect(ansibleRecapOf(output, 'peer10')).toEqual({ ok: 20, changed: 3, unreachable: 0, failed: 1 });
    expect(ansibleRecapOf(output, 'pi1')).toBeUndefined();
    expect(ansibleRecapOf('ok: [peer1]\n', 'peer1')).toBeUndefined();
  });

  it('reads the CPU stall total of /proc/pressure/cpu\'s "some" line', () => {
    expect(pressureTotalOf('some avg10=61.17 avg60=63.88 avg300=76.11 total=17417759322\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toBe(17417759322);
    expect(pressureTotalOf('')).toBeUndefined();
  });
});
