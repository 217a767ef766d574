import { describe, expect, it } from 'vitest';
import { median, summarize } from '../../bench/stats.js';

describe('bench stats', () => {
  it('median of odd and even counts, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([0.7])).toBe(0.7);
    expect(median([])).toBeNaN();
  });

  it('summarizes runs: median, mean, sample standard deviation, min, max', () => {
    const s = summarize([0.5, 0.7, 0.6, 0.6, 1.6]);
    expect(s.runs).toBe(5);
    expect(s.median).toBe(0.6);
    expect(s.mean).toBeCloseTo(0.8, 10);
    // deviations -0.3 -0.1 -0.2 -0.2 0.8: squares 0.09 0.01 0.04 0.04 0.64 = 0.82, / 4
    expect(s.stddev).toBeCloseTo(Math.sqrt(0.205), 10);
    expect([s.min, s.max]).toEqual([0.5, 1.6]);
  });

  it('one run has no spread; no run is an error', () => {
    expect(summarize([2])).toMatchObject({ median: 2, mean: 2, stddev: 0, min: 2, max: 2 });
    expect(() => summarize([])).toThrow(/no runs/);
  });
});
