import { describe, expect, it } from 'vitest';
import { BenchUsageError, resolveOptions } from '../../bench/options.js';

describe('bench options', () => {
  it('defaults to the sizes of issue #9, the forks sweep and the streaming phase of issue #20', () => {
    expect(resolveOptions({}, {}, '/work/main')).toEqual({
      sizes: [1, 5, 20],
      forks: [10, 20, 50],
      fresh: [1, 5],
      runs: 10,
      warmup: 1,
      freshRuns: 3,
      streaming: true,
      ansible: true,
      ansiblePeer: '/work/shared/reference/ansible-peer',
      ansibleRuns: 3,
      labName: 'orbis-bench',
      subnet: '10.213.2.0/24',
      keepLab: false,
      reuseLab: false,
    });
  });

  it('flags win over ORBIS_BENCH_* variables, which win over the defaults', () => {
    const env = { ORBIS_BENCH_SIZES: '3,1', ORBIS_BENCH_RUNS: '4', ORBIS_BENCH_LAB_NAME: 'from-env', ORBIS_BENCH_KEEP_LAB: '1', ORBIS_BENCH_JSON: '/tmp/r.json', ORBIS_BENCH_ANSIBLE_PEER: '/peer', ORBIS_BENCH_REUSE_LAB: '1' };
    const o = resolveOptions({ runs: '2', fresh: 'none', forks: '20,10' }, env);
    expect(o).toMatchObject({ sizes: [1, 3], fresh: [], forks: [10, 20], runs: 2, labName: 'from-env', keepLab: true, jsonOut: '/tmp/r.json', ansiblePeer: '/peer', reuseLab: true });
  });

  it('--no-streaming and --no-ansible win; otherwise ORBIS_BENCH_STREAMING / _ANSIBLE=0 turn them off', () => {
    // commander gives true for an absent --no-X flag, false for a given one.
    expect(resolveOptions({ streaming: true, ansible: true }, { ORBIS_BENCH_STREAMING: '0', ORBIS_BENCH_ANSIBLE: '0' })).toMatchObject({ streaming: false, ansible: false });
    expect(resolveOptions({ streaming: false, ansible: false }, { ORBIS_BENCH_STREAMING: '1' })).toMatchObject({ streaming: false, ansible: false });
    expect(resolveOptions({}, { ORBIS_BENCH_ANSIBLE: '1' })).toMatchObject({ streaming: true, ansible: true });
    expect(() => resolveOptions({}, { ORBIS_BENCH_ANSIBLE: 'no' })).toThrow(new BenchUsageError('ORBIS_BENCH_ANSIBLE: expected 0 or 1, not "no"'));
  });

  it('sizes are sorted and deduplicated; bad numbers are usage errors naming the flag', () => {
    expect(resolveOptions({ sizes: '20, 5,1,5' }, {}).sizes).toEqual([1, 5, 20]);
    expect(resolveOptions({ forks: 'none' }, {}).forks).toEqual([]);
    expect(() => resolveOptions({ sizes: '1,x' }, {})).toThrow(new BenchUsageError('--sizes: expected a whole number >= 1, not "x"'));
    expect(() => resolveOptions({ sizes: '0' }, {})).toThrow(/--sizes/);
    expect(() => resolveOptions({ forks: '0' }, {})).toThrow(/--forks/);
    expect(() => resolveOptions({ runs: '0' }, {})).toThrow(/--runs: expected a whole number >= 1/);
    expect(() => resolveOptions({ ansibleRuns: '0' }, {})).toThrow(/--ansible-runs/);
    expect(() => resolveOptions({}, { ORBIS_BENCH_FRESH_RUNS: '1.5' })).toThrow(/--fresh-runs/);
    expect(resolveOptions({ warmup: '0' }, {}).warmup).toBe(0);
  });
});
