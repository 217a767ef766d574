// What the demo's live line takes from `orbis provision`'s plain progress (its simple renderer's
// lines, as the demo reads them from the child's stderr).
import { describe, expect, it } from 'vitest';
import { provisionProgressText } from '../../../src/demo/run.js';

describe('orbis provision\'s progress, for the live line', () => {
  it('keeps the words, without the mark and the timestamps', () => {
    expect(provisionProgressText('› [09:09:59] [1.1s] applying: btfs: user btfs (19/33, while packages install)')).toBe('applying: btfs: user btfs (19/33, while packages install)');
    expect(provisionProgressText('› [09:10:58] [1m00s] verify: checking (FFmpeg test: 10 s of media)')).toBe('verify: checking (FFmpeg test: 10 s of media)');
    expect(provisionProgressText('❯ [09:09:58] pi@10.213.22.10')).toBe('pi@10.213.22.10');
    expect(provisionProgressText('✔ [09:11:01] pi@10.213.22.10: changed (33 changes) [1m3s]')).toBe('pi@10.213.22.10: changed (33 changes) [1m3s]');
  });

  it('takes nothing from other lines (warnings, the recap)', () => {
    expect(provisionProgressText('warning: conf/orbis.conf:3: a setting that is not orbis\'s')).toBeUndefined();
    expect(provisionProgressText('')).toBeUndefined();
  });
});
