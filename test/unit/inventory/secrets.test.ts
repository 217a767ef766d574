import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isSecret, loadSettings, settingRows } from '../../../src/config/index.js';
import { loadInventory, resolveHost, resolveHosts } from '../../../src/inventory/index.js';
import { configErrorOf } from '../config/helpers.js';
import { inventoryOf } from './helpers.js';

const KEY = 'live_1234567890abcdef';
const withRefs = () =>
  inventoryOf({
    'f.yaml': [
      'hosts:',
      '  salon:',
      '    vars:',
      '      DLIVE_CLE_FLUX: { env: SALON_DLIVE_KEY }',
      '      DLIVE_BITRATE_VIDEO: { env: SALON_BITRATE }',
      '  cuisine:',
      '    vars:',
      '      KICK_CLE_FLUX: { secret: cuisine_kick }',
      'groups:',
      '  maison:',
      '    hosts: [salon, cuisine]',
      '    vars: { KICK_CLE_FLUX: { env: MAISON_KICK_KEY } }',
      '',
    ].join('\n'),
  });

describe('secrets by reference', () => {
  it('reads { env: NAME } into a Secret that never prints, labelled with where it came from', () => {
    const salon = resolveHost(withRefs(), 'salon', { env: { SALON_DLIVE_KEY: KEY, SALON_BITRATE: '4000', MAISON_KICK_KEY: 'sk_kick_abc' } });
    const value = salon.layers.at(-1)?.values['DLIVE_CLE_FLUX'];
    expect(isSecret(value)).toBe(true);
    expect(String(value)).toBe('********');
    expect(JSON.stringify(salon)).not.toContain(KEY);
    expect(inspect(salon, { depth: 10 })).not.toContain(KEY);
    expect(salon.layers.at(-1)?.references).toEqual({ DLIVE_CLE_FLUX: 'environment SALON_DLIVE_KEY', DLIVE_BITRATE_VIDEO: 'environment SALON_BITRATE' });

    const loaded = loadSettings({ layers: salon.layers, env: {} });
    expect(loaded.settings.DLIVE_CLE_FLUX?.reveal()).toBe(KEY);
    expect(loaded.settings.DLIVE_CLE_FLUX?.origin).toBe('environment SALON_DLIVE_KEY (f.yaml:4:23, host salon)');
    // A reference works for any setting; only stream keys become secrets.
    expect(loaded.settings.DLIVE_BITRATE_VIDEO).toBe(4000);
    const rows = settingRows(loaded);
    expect(rows.find((r) => r.name === 'DLIVE_CLE_FLUX')).toMatchObject({ value: '********', origin: 'f.yaml:4:23 (host salon)' });
    expect(JSON.stringify(rows)).not.toContain(KEY);
  });

  it('an unset variable stops a run, naming the variable and where it is referred to', () => {
    const error = configErrorOf(() => resolveHosts(withRefs(), ['salon', 'cuisine'], { env: { SALON_BITRATE: '4000' } }));
    expect(error.message.split('\n')).toEqual([
      'f.yaml:4:23: DLIVE_CLE_FLUX: refers to the environment variable SALON_DLIVE_KEY (host salon), which is not set (hint: export SALON_DLIVE_KEY=... before running orbis)',
      'f.yaml:8:22: KICK_CLE_FLUX: refers to the secret cuisine_kick (host cuisine), but no secrets file is loaded (hint: encrypted secrets files are not supported yet: give it with { env: NAME } for now)',
      // The group's reference is one problem, though both hosts have it.
      'f.yaml:12:28: KICK_CLE_FLUX: refers to the environment variable MAISON_KICK_KEY (group maison), which is not set (hint: export MAISON_KICK_KEY=... before running orbis)',
    ]);
  });

  it('with unresolved: warn (orbis inventory), the value is left out and the reference reported', () => {
    const salon = resolveHost(withRefs(), 'salon', { env: { SALON_BITRATE: '4000', MAISON_KICK_KEY: 'k' }, unresolved: 'warn' });
    expect(salon.layers.at(-1)?.values).toEqual({ DLIVE_BITRATE_VIDEO: '4000' });
    expect(salon.unresolved).toEqual([{ layer: 'host salon', setting: 'DLIVE_CLE_FLUX', reference: 'environment SALON_DLIVE_KEY' }]);
    expect(salon.warnings.map((w) => w.line)).toEqual([4]);
  });

  it('{ secret: NAME } resolves through a secrets store (the hook for the encrypted file)', () => {
    const store = { describe: 'inventory/secrets.age', get: (name: string) => (name === 'cuisine_kick' ? KEY : undefined) };
    const cuisine = resolveHost(withRefs(), 'cuisine', { env: { MAISON_KICK_KEY: 'k' }, secrets: store });
    const loaded = loadSettings({ layers: cuisine.layers, env: {} });
    expect(loaded.settings.KICK_CLE_FLUX?.reveal()).toBe(KEY);
    expect(cuisine.layers.at(-1)?.references).toEqual({ KICK_CLE_FLUX: 'secret cuisine_kick' });
    const missing = { describe: 'inventory/secrets.age', get: () => undefined };
    expect(configErrorOf(() => resolveHost(withRefs(), 'cuisine', { env: { MAISON_KICK_KEY: 'k' }, secrets: missing })).message).toBe(
      'f.yaml:8:22: KICK_CLE_FLUX: refers to the secret cuisine_kick (host cuisine), which inventory/secrets.age does not hold (hint: add cuisine_kick to inventory/secrets.age)',
    );
  });
});

describe('a stream key in clear in a file git tracks', () => {
  const repo = (): string => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'orbis-inventory-git-')));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'ignore' });
    git('init', '-q');
    writeFileSync(join(dir, 'tracked.yaml'), `hosts:\n  salon:\n    vars:\n      DLIVE_CLE_FLUX: ${KEY}\n      KICK_CLE_FLUX: ""\n      DLIVE_BITRATE_VIDEO: 4000\n`);
    writeFileSync(join(dir, 'untracked.yaml'), `hosts:\n  cuisine:\n    vars:\n      KICK_CLE_FLUX: ${KEY}\n`);
    git('add', 'tracked.yaml');
    git('commit', '-q', '-m', 'fleet');
    return dir;
  };

  it('is a warning at the value, with how to give it by reference; never the key itself', () => {
    const dir = repo();
    const inventory = loadInventory([join(dir, 'tracked.yaml'), join(dir, 'untracked.yaml')]);
    expect(inventory.warnings).toEqual([
      {
        file: join(dir, 'tracked.yaml'),
        line: 4,
        col: 23,
        variable: 'DLIVE_CLE_FLUX',
        message: 'a stream key in clear in a file git tracks (host salon)',
        hint: 'give it by reference, e.g. DLIVE_CLE_FLUX: { env: SALON_DLIVE_CLE_FLUX }, and change the key on the platform: it stays in the git history',
      },
    ]);
    expect(JSON.stringify(inventory.warnings)).not.toContain(KEY);
  });

  it('is no warning outside git', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'orbis-inventory-nogit-')));
    writeFileSync(join(dir, 'fleet.yaml'), `vars: { DLIVE_CLE_FLUX: ${KEY} }\nhosts: { a: {} }\n`);
    expect(loadInventory(join(dir, 'fleet.yaml')).warnings).toEqual([]);
  });
});
