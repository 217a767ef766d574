import { describe, expect, it } from 'vitest';
import { effectiveEntries, parseConf } from '../../../src/config/conf-parser.js';
import { loadSettings } from '../../../src/config/load.js';
import { defaultTexts, SETTING_NAMES, SETTINGS } from '../../../src/config/settings.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { repoRoot } from './helpers.js';

const examplePath = join(repoRoot, 'conf', 'orbis.conf.example');

describe('conf/orbis.conf.example', () => {
  const text = readFileSync(examplePath, 'utf8');

  it('loads without errors or warnings', () => {
    expect(loadSettings({ confPath: examplePath, env: {} }).warnings).toEqual([]);
  });

  it('sets exactly the settings orbis uses, each to its default', () => {
    const entries = effectiveEntries(parseConf(text, { file: 'example' }));
    const used = SETTING_NAMES.filter((n) => SETTINGS[n].usedBy.length > 0);
    expect([...entries.keys()].sort()).toEqual([...used].sort());
    const defaults = defaultTexts();
    for (const [name, entry] of entries) expect(entry.value, name).toBe(defaults[name as keyof typeof defaults]);
  });

  it('leaves both stream keys empty', () => {
    expect(text).toMatch(/^DLIVE_CLE_FLUX=""$/m);
    expect(text).toMatch(/^KICK_CLE_FLUX=""$/m);
  });
});
