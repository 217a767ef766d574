import { describe, expect, it } from 'vitest';
import { unitChecks } from '../../../src/verify/checks/units.js';
import { parseUnits } from '../../../src/verify/parse/units.js';
import { fixture, labInput, unitsText } from './helpers.js';

const units = labInput().units;
const sample = (at: number, overrides: Parameters<typeof unitsText>[0] = {}) => ({ at, units: parseUnits(unitsText(overrides)) });
const byName = (list: Array<{ name: string }>) => Object.fromEntries(list.map((o) => [o.name, o]));

describe('systemctl show', () => {
  it('reads each unit block', () => {
    const parsed = parseUnits(fixture('units-lab.txt'));
    expect(Object.keys(parsed).sort()).toEqual(['btfs.service', 'nginx.service', 'orbis.service', 'stunnel@kick.service']);
    expect(parsed['nginx.service']).toMatchObject({ load: 'loaded', active: 'active', sub: 'running', enabled: 'enabled', restarts: 0 });
  });
});

describe('unit checks', () => {
  it('pass: active, enabled, restart counter still', () => {
    const r = unitChecks(units, [sample(0), sample(4.2)]);
    expect(r.map((o) => `${o.name} ${o.status}`)).toEqual(['unit.nginx pass', 'unit.stunnel pass', 'unit.btfs pass', 'unit.orbis pass']);
    expect(r[0]?.value).toBe('nginx.service: active, enabled, no restart in 4.2 s');
  });

  it('with the host\'s monotonic clock: a unit up for a while passes from one sample, one just started is watched', () => {
    // ActiveEnterTimestampMonotonic is in µs; the sample's uptime in s.
    const at = (uptime: number, overrides: Parameters<typeof unitsText>[0] = {}) => ({ ...sample(0, overrides), uptime });
    const settled = byName(unitChecks(units, [at(4000, { 'nginx.service': { ActiveEnterTimestampMonotonic: 100e6 } })]));
    expect(settled['unit.nginx']).toMatchObject({ status: 'pass', value: 'nginx.service: active, enabled, up for 65 min' });
    const young = byName(unitChecks(units, [at(101.5, { 'btfs.service': { ActiveEnterTimestampMonotonic: 100e6 } })]));
    expect(young['unit.btfs']).toMatchObject({ status: 'fail', settle: true, value: 'btfs.service: active for 1.5 s only: watching that it stays up' });
    // The next sample, 3 s on: it stayed up.
    const later = byName(unitChecks(units, [at(101.5, { 'btfs.service': { ActiveEnterTimestampMonotonic: 100e6 } }), at(104.5, { 'btfs.service': { ActiveEnterTimestampMonotonic: 100e6 } })]));
    expect(later['unit.btfs']).toMatchObject({ status: 'pass', value: 'btfs.service: active, enabled, up for 4.5 s' });
  });

  it('a stopped unit fails with how to start it and read why', () => {
    const r = byName(unitChecks(units, [sample(0, { 'stunnel@kick.service': { ActiveState: 'inactive', SubState: 'dead' } })]));
    expect(r['unit.stunnel']).toMatchObject({ status: 'fail', value: 'stunnel@kick.service: inactive (dead)', settle: true });
    expect(r['unit.stunnel']?.hint).toContain('systemctl start stunnel@kick.service');
  });

  it('a restart counter that moves while verify watches is a restart loop', () => {
    const r = byName(unitChecks(units, [sample(0, { 'orbis.service': { NRestarts: 3 } }), sample(12, { 'orbis.service': { NRestarts: 5, ActiveState: 'active' } })]));
    expect(r['unit.orbis']?.status).toBe('fail');
    expect(r['unit.orbis']?.value).toContain('restart loop (active/running, 2 restarts in 12.0 s, 5 since started');
    expect(r['unit.orbis']?.hint).toContain('journalctl -u orbis.service');
  });

  it('waiting to restart after a crash counts as looping; one restart seen is a warning', () => {
    const crashed = { 'orbis.service': { ActiveState: 'activating', SubState: 'auto-restart', NRestarts: 1, Result: 'exit-code', ExecMainStatus: 1 } };
    expect(byName(unitChecks(units, [sample(0, crashed)]))['unit.orbis']?.value).toBe('orbis.service: restart loop (activating/auto-restart, 0 restarts in 0.0 s, 1 since started, last result exit-code, exit status 1)');
    const once = byName(unitChecks(units, [sample(0), sample(3, { 'btfs.service': { NRestarts: 1 } })]));
    expect(once['unit.btfs']?.status).toBe('warn');
  });

  it('a unit systemd gave up on (start limit) is a restart loop too', () => {
    const gaveUp = { 'orbis.service': { ActiveState: 'failed', SubState: 'failed', NRestarts: 3, Result: 'start-limit-hit', ExecMainStatus: 3 } };
    const r = byName(unitChecks(units, [sample(0, gaveUp), sample(5, gaveUp)]))['unit.orbis'];
    expect(r?.value).toContain('restart loop (failed/failed, 0 restarts in 5.0 s, 3 since started, last result start-limit-hit');
    expect(r?.hint).toContain('systemctl reset-failed orbis.service');
  });

  it('orbis down because a unit it needs is down is a consequence', () => {
    const r = byName(unitChecks(units, [sample(0, { 'orbis.service': { ActiveState: 'inactive', SubState: 'dead' } })]));
    expect(r['unit.orbis']?.needs?.sort()).toEqual(['unit.btfs', 'unit.nginx', 'unit.stunnel']);
  });

  it('not enabled, not installed, no answer', () => {
    expect(byName(unitChecks(units, [sample(0, { 'btfs.service': { UnitFileState: 'disabled' } })]))['unit.btfs']?.value).toBe('btfs.service: active but disabled');
    expect(byName(unitChecks(units, [sample(0, { 'btfs.service': { LoadState: 'not-found' } })]))['unit.btfs']?.value).toBe('btfs.service: not installed');
    expect(unitChecks(units, [])[0]?.value).toBe('nginx.service: no answer from systemctl');
  });

  it('Kick off: no stunnel unit', () => {
    expect(unitChecks(labInput(['KICK_ACTIF=false']).units, [sample(0)]).map((o) => o.name)).not.toContain('unit.stunnel');
  });
});
