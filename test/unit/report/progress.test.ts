import { describe, expect, it, vi } from 'vitest';
import { aliveLine, elapsed } from '../../../src/report/progress.js';

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

describe('a step that takes long shows it is alive', () => {
  it('says its message again every period with the time moving, and stops when asked', () => {
    vi.useFakeTimers();
    try {
      let clock = 0;
      const shown: string[] = [];
      const line = aliveLine((t) => shown.push(t), 15_000, () => clock);
      vi.advanceTimersByTime(15_000); // nothing said yet: nothing to repeat
      expect(shown).toEqual([]);
      clock = 100;
      line.say('installing packages');
      clock = 15_000;
      vi.advanceTimersByTime(15_000);
      clock = 30_000;
      vi.advanceTimersByTime(15_000);
      clock = 31_000;
      line.say('nginx-rtmp: file /etc/nginx/nginx.conf (3/28)');
      line.stop();
      vi.advanceTimersByTime(60_000);
      expect(shown).toEqual([
        '[0.1s] installing packages',
        '[15.0s] installing packages',
        '[30.0s] installing packages',
        '[31.0s] nginx-rtmp: file /etc/nginx/nginx.conf (3/28)',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
