import { describe, expect, it } from 'vitest';
import { elapsed } from '../../../src/report/progress.js';

describe('elapsed time on a progress line', () => {
  it.each([
    [0, '0.0s'],
    [4_249, '4.2s'],
    [59_900, '59.9s'],
    [60_000, '1m00s'],
    [65_400, '1m05s'],
    [3_725_000, '62m05s'],
  ])('%i ms reads %s', (ms, text) => {
    expect(elapsed(ms)).toBe(text);
  });
});
