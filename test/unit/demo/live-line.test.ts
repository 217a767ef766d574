// The live line of a long demo step: rewritten in place on a terminal (spinner, words, seconds),
// a line now and then without one, and nothing left behind when it stops.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveLine, PLAIN_EVERY_MS } from '../../../src/demo/live-line.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function recorder(): { out: string[]; write: (text: string) => void } {
  const out: string[] = [];
  return { out, write: (text) => out.push(text) };
}

describe('on a terminal', () => {
  it('rewrites one line in place with what the step is at and its seconds, then erases it', () => {
    const { out, write } = recorder();
    const line = new LiveLine({ tty: true, write, columns: 80, indent: '  ' });
    line.start('installing 7 packages');
    expect(out[0]).toMatch(/^\r\x1b\[2K {2}\S installing 7 packages \(0 s\)$/);
    line.set('installing 7 packages: unpacking ffmpeg (23%)');
    vi.advanceTimersByTime(3_100);
    expect(out[out.length - 1]).toMatch(/^\r\x1b\[2K {2}\S installing 7 packages: unpacking ffmpeg \(23%\) \(3 s\)$/);
    // The spinner turns: the step is seen alive even when its words do not change.
    expect(new Set(out.map((o) => o.slice(6, 8))).size).toBeGreaterThan(5);
    expect(out.every((o) => !o.includes('\n'))).toBe(true);
    line.stop();
    expect(out[out.length - 1]).toBe('\r\x1b[2K');
    const after = out.length;
    vi.advanceTimersByTime(5_000);
    expect(out.length).toBe(after);
  });

  it('never wraps (a wrapped line cannot be rewritten in place)', () => {
    const { out, write } = recorder();
    const line = new LiveLine({ tty: true, write, columns: 30 });
    line.start('applying: nginx-rtmp: file /etc/systemd/system/nginx.service.d/orbis.conf (12/33)');
    expect(out[0]?.replace('\r\x1b[2K', '').length).toBeLessThan(30);
    expect(out[0]).toMatch(/…$/);
    line.stop();
  });
});

describe('without a terminal', () => {
  it('writes whole lines, at most one every PLAIN_EVERY_MS, and none for a short step', () => {
    const { out, write } = recorder();
    const line = new LiveLine({ tty: false, write, indent: '  ' });
    line.start('starting the lab');
    vi.advanceTimersByTime(PLAIN_EVERY_MS - 1_000);
    expect(out).toEqual([]);
    line.set('applying: installing packages');
    vi.advanceTimersByTime(1_000);
    expect(out).toEqual([`  applying: installing packages (${PLAIN_EVERY_MS / 1000} s)\n`]);
    // Words changing every second (apt's progress) still give a line per PLAIN_EVERY_MS only.
    for (let i = 0; i < 25; i++) {
      line.set(`installing 7 packages: unpacking package ${i}`);
      vi.advanceTimersByTime(1_000);
    }
    expect(out.length).toBe(3);
    line.stop();
    vi.advanceTimersByTime(PLAIN_EVERY_MS * 3);
    expect(out.length).toBe(3);
  });
});
