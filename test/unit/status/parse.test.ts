import { describe, expect, it } from 'vitest';
import { parseJournal, parseStatusOutput, parseStreamerState } from '../../../src/status/parse.js';
import { ETAT_OK, journalLine, NOW, statusOutput } from './helpers.js';

describe('the status answer', () => {
  it('reads the sections it shares with verify, the streamer\'s state and the journal', () => {
    const o = parseStatusOutput(statusOutput({ journal: [journalLine(NOW - 5, 'orbis.service', 'boom', 3)] }));
    expect(o.complete).toBe(true);
    expect(o.now).toBe(NOW);
    expect(Object.keys(o.unitSamples[0]?.units ?? {})).toContain('orbis.service');
    expect(o.stat?.code).toBe(200);
    expect(o.streamer.samples).toHaveLength(2);
    expect(o.streamer.round).toEqual({ round: 7, startedUs: (NOW - 3) * 1e6, videos: 2, skipped: 0 });
    expect(o.journal).toEqual([{ atUs: (NOW - 5) * 1e6, unit: 'orbis.service', fromSystemd: false, priority: 3, message: 'boom' }]);
  });

  it('a cut answer is incomplete', () => {
    expect(parseStatusOutput(statusOutput({ end: false })).complete).toBe(false);
  });

  it('streamer state: newest sample first; missing or broken files give nothing', () => {
    expect(parseStreamerState(ETAT_OK, '').samples.map((s) => s.frames)).toEqual([3150, 3000]);
    expect(parseStreamerState('', '')).toEqual({ samples: [], skips: [] });
    expect(parseStreamerState('at_us=x frames=1\ngarbage\n', 'round=\n').samples).toEqual([]);
  });

  it('journal: systemd\'s lines name the unit they are about; duplicates from two queries count once; bytes become text', () => {
    const line = journalLine(NOW - 2, 'btfs.service', "btfs.service: Failed with result 'signal'.", 4, true);
    const bytes = JSON.stringify({ __REALTIME_TIMESTAMP: String((NOW - 1) * 1e6), MESSAGE: [104, 233, 0x6c], PRIORITY: '3', _SYSTEMD_UNIT: 'orbis.service' });
    const entries = parseJournal([bytes, line, line, 'not json', ''].join('\n'));
    expect(entries.map((e) => [e.unit, e.fromSystemd, e.message.slice(0, 12)])).toEqual([
      ['btfs.service', true, 'btfs.service'],
      ['orbis.service', false, 'h\ufffdl'],
    ]);
  });
});
