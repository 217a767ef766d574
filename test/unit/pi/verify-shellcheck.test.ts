// observe.sh and verify.sh under shellcheck (Debian's): the files, and the verify scripts as
// sent, for every kind, platform choice and encoder choice.
import { describe, expect, it } from 'vitest';
import { buildVerifyScript } from '../../../src/verify/script.js';
import { labInput } from '../verify/helpers.js';
import { shellcheckPiFile, shellcheckSent } from './shellcheck.js';

describe('the verify step\'s shell under shellcheck', () => {
  it('observe.sh and verify.sh are clean', () => {
    for (const file of ['observe.sh', 'verify.sh']) expect(shellcheckPiFile(file), file).toBe('');
  });

  it('every verify script as sent is clean', () => {
    const { kick: _kick, dlive: _dlive, ...neither } = labInput();
    for (const input of [labInput(), labInput([], null), labInput(['PLATEFORMES=dlive']), neither]) {
      for (const kind of ['full', 'settle', 'ffmpeg'] as const) {
        for (const ffmpeg of [true, false]) expect(shellcheckSent(buildVerifyScript(input, kind, { seconds: 10, minSpeed: 1.2, ffmpeg })), kind).toBe('');
      }
    }
  });
});
