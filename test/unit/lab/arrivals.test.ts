// The e2e's arrival measure (test/e2e/helpers/arrivals.ts): from samples of a growing recording,
// the longest time nothing arrived, the bytes per second, and whether the platform saw a new
// recording (the stream ended and began again).
import { describe, expect, it } from 'vitest';
import { summarize } from '../../e2e/helpers/arrivals.js';

const at = (sec: number, bytes: number, file = 'k-1.flv') => ({ atMs: 1_000_000 + sec * 1000, file, bytes });

describe('arrivals at the stand-in platform', () => {
  it('a steady stream: no gap longer than the sampling, every second counted', () => {
    const a = summarize([at(0, 100), at(0.5, 200), at(1, 300), at(1.5, 400), at(2, 500)]);
    expect(a.longestGapMs).toBe(500);
    expect(a.files).toEqual(['k-1.flv']);
    expect(a.perSecond).toEqual([100, 200, 100]);
  });

  it('a stall: the time from the last growth to the next, and when it began', () => {
    const a = summarize([at(0, 100), at(0.5, 200), at(1, 200), at(2, 200), at(3.5, 200), at(4, 900)]);
    expect(a.longestGapMs).toBe(3500);
    expect(a.gapFromMs).toBe(1_000_500);
    expect(a.perSecond).toEqual([100, 0, 0, 0, 700]);
  });

  it('a stream that stopped for good: the gap runs to the last sample', () => {
    expect(summarize([at(0, 100), at(1, 200), at(2, 200), at(6, 200)]).longestGapMs).toBe(5000);
  });

  it('a new recording is a stream that ended and began again, whatever its size', () => {
    const a = summarize([at(0, 100), at(1, 5000), at(1.2, 10, 'k-2.flv'), at(1.4, 90, 'k-2.flv')]);
    expect(a.files).toEqual(['k-1.flv', 'k-2.flv']);
    expect(a.longestGapMs).toBe(1000);
  });
});
