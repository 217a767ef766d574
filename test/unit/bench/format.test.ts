import { describe, expect, it } from 'vitest';
import { NO_PHASES } from '../../../src/report/result.js';
import { comparisonTable, failuresTable, measuresTable, phasesTable } from '../../bench/format.js';
import type { MeasureResult } from '../../bench/results.js';
import { summarize } from '../../bench/stats.js';

const noop: MeasureResult = {
  id: 'provision-noop-1',
  label: 'provision no-op',
  hosts: 1,
  tool: 'hyperfine',
  seconds: summarize([0.5, 0.62, 0.7]),
  lastSeconds: 0.7,
  peakRssKiB: 90 * 1024,
  cpuPressure: 0.424,
  report: { statuses: { ok: 1 }, roundTripsMax: 1, connectionsMax: 1, runMs: 450, slowestHostMs: 400, phasesMedianMs: { ...NO_PHASES, connect: 120, facts: 180, plan: 90 }, packages: [] },
};
const help: MeasureResult = { id: 'help', label: 'orbis --help', hosts: 0, tool: 'hyperfine', seconds: summarize([0.09]), lastSeconds: 0.09 };

describe('bench report', () => {
  it('one row per measure: median, mean ± sd, range, round trips, connections, peak memory, the machine\'s CPU pressure', () => {
    const lines = measuresTable([noop, help]).split('\n');
    expect(lines[1]).toMatch(/^provision no-op\s+3\s+0\.620\s+0\.607 ± 0\.101\s+0\.500\.\.0\.700\s+1\s+1\s+90\.0\s+42$/);
    expect(lines[2]).toMatch(/^orbis --help\s+1\s+0\.090\s+0\.090 ± 0\.000\s+0\.090\.\.0\.090\s+-\s+-\s+-\s+-$/);
  });

  it('where the last run went: outside the run, around the hosts, then the phases', () => {
    const lines = phasesTable([noop, help]).split('\n');
    expect(lines).toHaveLength(2); // --help reaches no host: no row
    // wall 700 = 250 outside the run + 450 run, of which 50 around the (only) host.
    expect(lines[1]?.split(/\s{2,}/)).toEqual(['provision no-op', '700', '250', '50', '120', '180', '90', '0', '0', '0', '0']);
  });

  it('orbis beside the Ansible peer: medians and Ansible\'s over orbis\'s, only for pairs both measured', () => {
    const m = (id: string, times: number[]): MeasureResult => ({ id, label: id, hosts: 1, tool: 'hyperfine', seconds: summarize(times), lastSeconds: 0 });
    expect(comparisonTable([help])).toBeUndefined();
    const lines = (comparisonTable([m('stream-provision-noop-1', [0.5]), m('stream-provision-1', [2]), m('ansible-converge-1', [20])]) ?? '').split('\n');
    expect(lines).toHaveLength(3); // no check row: neither check was measured
    expect(lines[1]?.split(/\s{2,}/)).toEqual(['no-op converge (orbis provision --no-verify)', '0.500', '20.000', '40.0x']);
    expect(lines[2]?.split(/\s{2,}/)).toEqual(['no-op converge (orbis provision, with verify)', '2.000', '20.000', '10.0x']);
  });

  it('lists what was not measured and why', () => {
    const text = failuresTable([{ id: 'ansible-check-1', label: 'ansible check', reason: 'ansible-playbook not found', skipped: true }]);
    expect(text.split('\n')[1]).toMatch(/^ansible check\s+skipped: ansible-playbook not found$/);
  });
});
