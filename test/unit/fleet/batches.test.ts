import { describe, expect, it } from 'vitest';
import { parseCount, parseMaxFail, planBatches, RolloutOptionError, shouldStop } from '../../../src/fleet/batches.js';
import { runRollout } from '../../../src/fleet/rollout.js';
import type { HostReport } from '../../../src/report/result.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `pi${i + 1}` }));
const names = (batches: { name: string }[][]) => batches.map((b) => b.map((h) => h.name));

describe('batches', () => {
  it('one batch by default; serial counts and percentages; a canary first', () => {
    expect(names(planBatches(hosts(3)).batches)).toEqual([['pi1', 'pi2', 'pi3']]);
    expect(names(planBatches(hosts(5), { serial: '2' }).batches)).toEqual([['pi1', 'pi2'], ['pi3', 'pi4'], ['pi5']]);
    expect(names(planBatches(hosts(10), { serial: '30%' }).batches).map((b) => b.length)).toEqual([3, 3, 3, 1]);
    expect(names(planBatches(hosts(3), { serial: '10%' }).batches).map((b) => b.length)).toEqual([1, 1, 1]);
    const canary = planBatches(hosts(5), { canary: '1', serial: '2' });
    expect(canary.canary).toBe(true);
    expect(names(canary.batches)).toEqual([['pi1'], ['pi2', 'pi3'], ['pi4', 'pi5']]);
  });

  it('refuses malformed counts with the option name and a hint', () => {
    expect(() => parseCount('--serial', 'abc', 5)).toThrow(RolloutOptionError);
    expect(() => parseCount('--serial', '0', 5)).toThrow(/at least 1/);
    expect(() => parseCount('--canary', '150%', 5)).toThrow(/--canary/);
    expect(() => parseMaxFail('20')).toThrow(/percentage/);
    expect(parseMaxFail('20%')).toBeCloseTo(0.2);
  });

  it('stops past the failure threshold, and at any canary failure', () => {
    expect(shouldStop(0, 10, 0, true)).toBe(false);
    expect(shouldStop(1, 10, 0.5, true)).toBe(true);
    expect(shouldStop(1, 10, 0.1, false)).toBe(false);
    expect(shouldStop(2, 10, 0.1, false)).toBe(true);
  });
});

describe('runRollout', () => {
  const report = (name: string, status: HostReport['status']): HostReport => ({ name, status, changes: [], handlers: [], verify: [], roundTrips: 1, connections: 1, durationMs: 1 });

  it('skips the hosts after a failing canary', async () => {
    const plan = planBatches(hosts(4), { canary: '1', serial: '2' });
    const ran: string[] = [];
    const result = await runRollout(plan, 4, 0.5, async (batch) => {
      ran.push(...batch.map((h) => h.name));
      return batch.map((h) => report(h.name, 'failed'));
    });
    expect(ran).toEqual(['pi1']);
    expect(result.reports.map((r) => `${r.name}:${r.status}`)).toEqual(['pi1:failed', 'pi2:skipped', 'pi3:skipped', 'pi4:skipped']);
    expect(result.stoppedBecause).toMatch(/canary/);
  });

  it('a host rolled back after failing still counts as failed for --max-fail, and the reason says so', async () => {
    const plan = planBatches(hosts(3), { serial: '1' });
    const result = await runRollout(plan, 3, 0, async (batch) =>
      batch.map((h) => ({ ...report(h.name, 'failed'), rollback: { status: 'rolled-back' as const, undone: ['r2'], verified: true } })),
    );
    expect(result.reports.map((r) => `${r.name}:${r.status}`)).toEqual(['pi1:failed', 'pi2:skipped', 'pi3:skipped']);
    expect(result.stoppedBecause).toBe('1 of 3 hosts failed, 1 rolled back, more than --max-fail 0%: 2 host(s) left untouched');
  });

  it('goes on while failures stay within --max-fail', async () => {
    const plan = planBatches(hosts(4), { serial: '1' });
    const result = await runRollout(plan, 4, 0.25, async (batch) => batch.map((h) => report(h.name, h.name === 'pi2' ? 'failed' : 'changed')));
    expect(result.reports.map((r) => r.status)).toEqual(['changed', 'failed', 'changed', 'changed']);
    expect(result.stoppedBecause).toBeUndefined();
  });
});
