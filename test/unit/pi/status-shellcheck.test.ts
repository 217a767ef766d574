// status.sh and reconnect.sh under shellcheck (Debian's): the files, and the status and drop
// scripts as sent.
import { describe, expect, it } from 'vitest';
import { buildDropScript } from '../../../src/status/reconnect.js';
import { buildStatusScript } from '../../../src/status/script.js';
import { statusInput } from '../status/helpers.js';
import { shellcheckPiFile, shellcheckSent } from './shellcheck.js';

describe('the status and reconnect shell under shellcheck', () => {
  it('status.sh and reconnect.sh are clean', () => {
    for (const file of ['status.sh', 'reconnect.sh']) expect(shellcheckPiFile(file), file).toBe('');
  });

  it('the status script (with and without Kick) and the drop script as sent are clean', () => {
    expect(shellcheckSent(buildStatusScript(statusInput()))).toBe('');
    expect(shellcheckSent(buildStatusScript(statusInput(['PLATEFORMES=dlive'])))).toBe('');
    expect(shellcheckSent(buildDropScript('diffusion', [7, 12]))).toBe('');
    expect(shellcheckSent(buildDropScript('a&b c', [3]))).toBe('');
  });
});
