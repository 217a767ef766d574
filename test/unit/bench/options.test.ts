import { describe, expect, it } from 'vitest';
import { BenchUsageError, resolveOptions } from '../../../test/bench/options.js';

describe('bench options', () => {
  it('defaults to the sizes of issue #9', () => {
    expect(resolveOptions({}, {})).toEqual({
      sizes: [1, 5, 20],
      fresh: [1, 5],
      runs: 10,
      warmup: 1,
      freshRuns: 3,
      labName: 'orbis-bench',
      subnet: '10.213.2.0/24',
      keepLab: false,
    });
  });

  it('flags win over ORBIS_BENCH_* variables, which win over the defaults', () => {
    const env = { ORBIS_BENCH_SIZES: '3,1', ORBIS_BENCH_RUNS: '4', ORBIS_BENCH_LAB_NAME: 'from-env', ORBIS_BENCH_KEEP_LAB: '1', ORBIS_BENCH_JSON: '/tmp/r.json' };
    const o = resolveOptions({ runs: '2', fresh: 'none' }, env);
    expect(o).toMatchObject({ sizes: [1, 3], fresh: [], runs: 2, labName: 'from-env', keepLab: true, jsonOut: '/tmp/r.json' });
  });

  it('sizes are sorted and deduplicated; bad numbers are usage errors naming the flag', () => {
    expect(resolveOptions({ sizes: '20, 5,1,5' }, {}).sizes).toEqual([1, 5, 20]);
    expect(() => resolveOptions({ sizes: '1,x' }, {})).toThrow(new BenchUsageError('--sizes: expected a whole number >= 1, not "x"'));
    expect(() => resolveOptions({ sizes: '0' }, {})).toThrow(/--sizes/);
    expect(() => resolveOptions({ runs: '0' }, {})).toThrow(/--runs: expected a whole number >= 1/);
    expect(() => resolveOptions({}, { ORBIS_BENCH_FRESH_RUNS: '1.5' })).toThrow(/--fresh-runs/);
    expect(resolveOptions({ warmup: '0' }, {}).warmup).toBe(0);
  });
});
