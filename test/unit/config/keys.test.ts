import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/errors.js';
import { requireKeysFor } from '../../../src/config/keys.js';
import { loadSettings, type LoadOptions } from '../../../src/config/load.js';

const FILE = 'conf/orbis.conf';
const missing = (options: LoadOptions) => {
  const loaded = loadSettings({ env: {}, ...options });
  return requireKeysFor(loaded.settings, loaded.origins).map(formatIssue);
};

describe('stream keys are required only at provision time, only for enabled platforms', () => {
  it('loading never requires them', () => {
    expect(() => loadSettings({ confPath: FILE, confText: 'DLIVE_CLE_FLUX=""\n', env: {} })).not.toThrow();
  });

  it('both on, both empty: two issues, each where the empty value was written', () => {
    expect(missing({ confPath: FILE, confText: 'DLIVE_CLE_FLUX=""\nKICK_CLE_FLUX=\n' })).toEqual([
      'conf/orbis.conf:1:16: DLIVE_CLE_FLUX: DLive is enabled but its stream key is empty (hint: set ORBIS_DLIVE_CLE_FLUX in the environment, or DLIVE_CLE_FLUX in conf/orbis.conf or the inventory, or stream without DLive (DLIVE_ACTIF=false))',
      'conf/orbis.conf:2:15: KICK_CLE_FLUX: Kick is enabled but its stream key is empty (hint: set ORBIS_KICK_CLE_FLUX in the environment, or KICK_CLE_FLUX in conf/orbis.conf or the inventory, or stream without Kick (KICK_ACTIF=false))',
    ]);
  });

  it('a key never written anywhere is reported as not set', () => {
    expect(missing({ vars: ['PLATEFORMES=dlive'] })).toEqual([
      'default value: DLIVE_CLE_FLUX: DLive is enabled but its stream key is empty (hint: set ORBIS_DLIVE_CLE_FLUX in the environment, or DLIVE_CLE_FLUX in conf/orbis.conf or the inventory)',
    ]);
  });

  it('a disabled platform needs no key', () => {
    expect(missing({ confPath: FILE, confText: 'KICK_ACTIF=false\nDLIVE_CLE_FLUX=abc\n' })).toEqual([]);
    expect(missing({ vars: ['PLATEFORMES=kick'], env: { ORBIS_KICK_CLE_FLUX: 'sk_1' } })).toEqual([]);
  });

  it('keys may come from the environment instead of the file (never from --var: see stream-key.test.ts)', () => {
    expect(missing({ confPath: FILE, confText: 'DLIVE_CLE_FLUX=""\nKICK_CLE_FLUX=""\n', env: { ORBIS_DLIVE_CLE_FLUX: 'dl1', ORBIS_KICK_CLE_FLUX: 'sk_2' } })).toEqual([]);
  });

  it('an inventory layer may blank a key the file set: reported at that layer', () => {
    const issues = missing({ confPath: FILE, confText: 'DLIVE_CLE_FLUX=abc\nKICK_ACTIF=false\n', layers: [{ name: 'host h', values: { DLIVE_CLE_FLUX: '' }, positions: { DLIVE_CLE_FLUX: { file: 'inventory/h.yaml', line: 9, col: 21 } } }] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^inventory\/h\.yaml:9:21: DLIVE_CLE_FLUX: DLive is enabled/);
  });
});
