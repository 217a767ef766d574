// The files `orbis init` writes must be what the rest of orbis reads: the conf file loads with
// the answers in it, the inventory loads and refers to the keys where they were put.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/index.js';
import { Secret } from '../../../src/redact/secret.js';
import type { InitAnswers } from '../../../src/init/answers.js';
import { confText, ensureGitignored, inventoryText } from '../../../src/init/files.js';
import { resolveHosts } from '../../../src/inventory/index.js';
import { parseTarget } from '../../../src/transport/ssh-config.js';
import { repoRoot } from '../config/helpers.js';
import { inventoryOf } from '../inventory/helpers.js';

const example = readFileSync(join(repoRoot, 'conf', 'orbis.conf.example'), 'utf8');
const DATE = '2025-01-02';
const files = { inventoryPath: 'inventory/salon.yaml', secretsFile: 'conf/secrets.age', confPath: 'conf/orbis.conf', date: DATE };

function answers(overrides: Partial<InitAnswers> = {}): InitAnswers {
  return {
    platforms: 'toutes',
    keys: { dlive: new Secret('dliveKEY1'), kick: new Secret('sk_kickKEY2') },
    keyEnv: {},
    store: 'conf',
    target: parseTarget('pi@salon.local:2222'),
    name: 'salon',
    ...overrides,
  };
}

describe('conf/orbis.conf from orbis init', () => {
  it('is the documented example with the platforms and keys filled in, and loads', () => {
    const text = confText(example, answers(), files);
    const loaded = loadSettings({ confPath: 'conf/orbis.conf', confText: text, env: {} });
    expect(loaded.platforms).toEqual(['dlive', 'kick']);
    expect(loaded.settings.DLIVE_CLE_FLUX.reveal()).toBe('dliveKEY1');
    expect(loaded.settings.KICK_CLE_FLUX.reveal()).toBe('sk_kickKEY2');
    expect(text).toContain(`# Written by \`orbis init\` on ${DATE}.`);
    expect(text).not.toContain('# Copy this file');
    // Everything else is the example, line for line.
    const changed = text.split('\n').filter((l, i) => l !== example.split('\n')[i]);
    expect(changed).toHaveLength(4);
  });

  it('one platform: only it is on, and only its key is written', () => {
    const text = confText(example, answers({ platforms: 'kick' }), files);
    const loaded = loadSettings({ confPath: 'c', confText: text, env: {} });
    expect(loaded.platforms).toEqual(['kick']);
    expect(loaded.settings.DLIVE_CLE_FLUX.isEmpty).toBe(true);
    expect(text).not.toContain('dliveKEY1');
  });

  it('keys kept elsewhere: empty in the file, with a comment saying where', () => {
    const secrets = confText(example, answers({ store: 'secrets' }), files);
    expect(secrets).not.toMatch(/KEY1|KEY2/);
    expect(secrets).toContain('DLIVE_CLE_FLUX=""   # in conf/secrets.age as salon_dlive (see inventory/salon.yaml)');
    const env = confText(example, answers({ store: 'env', keys: {}, keyEnv: { kick: 'SALON_KICK' } }), files);
    expect(env).toContain('KICK_CLE_FLUX=""   # from the environment variable SALON_KICK (see inventory/salon.yaml)');
    expect(loadSettings({ confPath: 'c', confText: env, env: {} }).settings.KICK_CLE_FLUX.isEmpty).toBe(true);
  });
});

describe('the inventory from orbis init', () => {
  it('loads, with the host\'s address, user and port', () => {
    const inventory = inventoryOf({ 'inventory/salon.yaml': inventoryText(answers(), files) });
    expect(inventory.hosts.map((h) => h.name)).toEqual(['salon']);
    const [host] = resolveHosts(inventory, ['salon'], { env: {}, unresolved: 'error' });
    expect(host?.connection).toMatchObject({ via: 'address', host: 'salon.local', user: { value: 'pi' }, port: { value: 2222 } });
  });

  it('refers to the keys in the secrets file, or in environment variables', () => {
    const secrets = inventoryOf({ 'i.yaml': inventoryText(answers({ store: 'secrets' }), files) });
    const store = { describe: 'test', get: (name: string) => ({ salon_dlive: 'fromSecretD', salon_kick: 'fromSecretK' })[name] };
    const [viaSecrets] = resolveHosts(secrets, ['salon'], { env: {}, unresolved: 'error', secrets: store });
    const vars = viaSecrets?.layers.flatMap((l) => Object.entries(l.values)) ?? [];
    expect(vars.map(([k, v]) => [k, v instanceof Secret ? v.reveal() : v])).toEqual([
      ['DLIVE_CLE_FLUX', 'fromSecretD'],
      ['KICK_CLE_FLUX', 'fromSecretK'],
    ]);
    const env = inventoryOf({ 'i.yaml': inventoryText(answers({ store: 'env', keys: {}, keyEnv: { dlive: 'SALON_DLIVE' } }), files) });
    const [viaEnv] = resolveHosts(env, ['salon'], { env: { SALON_DLIVE: 'fromEnv' }, unresolved: 'error' });
    expect(viaEnv?.layers.flatMap((l) => Object.entries(l.values)).map(([k, v]) => [k, String(v instanceof Secret ? v.reveal() : v)])).toEqual([['DLIVE_CLE_FLUX', 'fromEnv']]);
  });

  it('never holds a key in clear', () => {
    for (const store of ['conf', 'secrets', 'env'] as const) {
      expect(inventoryText(answers({ store }), files)).not.toMatch(/KEY1|KEY2/);
    }
  });
});

describe('.gitignore', () => {
  it('in a git repository: added once, and a pattern that already covers it counts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-init-git-'));
    execFileSync('git', ['init', '-q', dir]);
    expect(ensureGitignored('conf/orbis.conf', dir)).toBe('added');
    expect(ensureGitignored('conf/orbis.conf', dir)).toBe('ignored');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('conf/orbis.conf\n');
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n*.conf');
    expect(ensureGitignored('conf/other.conf', dir)).toBe('ignored');
  });

  it('outside a repository: read and appended as a file; a path outside the directory is left alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-init-nogit-'));
    writeFileSync(join(dir, '.gitignore'), 'dist/');
    expect(ensureGitignored('conf/orbis.conf', dir)).toBe('added');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('dist/\nconf/orbis.conf\n');
    expect(ensureGitignored('/etc/orbis.conf', dir)).toBe('outside');
  });
});
