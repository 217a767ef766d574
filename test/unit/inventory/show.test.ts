import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inventoryCommand, registerInventoryCommand, type InventoryCliOptions } from '../../../src/cli/inventory.js';
import { ConfigError, SETTING_NAMES } from '../../../src/config/index.js';
import type { InventoryReport } from '../../../src/inventory/show.js';
import { repoRoot } from './helpers.js';

const example = join(repoRoot, 'inventory', 'example.yaml');
const SALON_KEY = 'dlive_salon_0123456789';
const KEYS = { SALON_DLIVE_KEY: SALON_KEY, SALON_KICK_KEY: 'sk_salon_kick_987', CUISINE_DLIVE_KEY: 'dlive_cuisine_55', CUISINE_KICK_KEY: 'sk_cuisine_66', ATELIER_DLIVE_KEY: 'dlive_atelier_77' };

const options = (over: Partial<InventoryCliOptions> = {}): InventoryCliOptions => ({
  inventory: [example],
  json: false,
  conf: join(tmpdir(), 'no-such-orbis.conf'),
  confExplicit: false,
  var: [],
  sshConfig: '/dev/null',
  defaults: true,
  ...over,
});

const run = (over: Partial<InventoryCliOptions> = {}, env: NodeJS.ProcessEnv = KEYS) => inventoryCommand(options(over), env);

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'orbis-inventory-cli-')), name);
  writeFileSync(file, text);
  return file;
}

describe('orbis inventory', () => {
  it('lists the hosts, then each host\'s settings with where each value came from; keys masked', async () => {
    const out = await run({ defaults: false });
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe('');
    const lines = out.stdout.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      `${example}: 3 host(s); groups maison, pi4, remote`,
      '',
      'HOST     ADDRESS                      USER  PORT  GROUPS',
      'salon    192.168.1.20                 pi    22    maison, pi4',
      'cuisine  192.168.1.21                 pi    2222  maison',
      expect.stringMatching(/^atelier  atelier-pi \(ssh atelier-pi\)  \S+ +22    remote$/),
    ]);
    const salon = out.stdout.slice(out.stdout.indexOf('== salon'), out.stdout.indexOf('== cuisine'));
    expect(salon).toContain('groups:   maison < pi4\n');
    expect(salon).toContain('sources:  default < fleet < group maison < group pi4 < host salon < environment ORBIS_<NAME> < --var (the last wins)\n');
    expect(salon).toMatch(new RegExp(`DLIVE_CLE_FLUX +\\*{8} +${example}:50:23 \\(host salon\\), environment SALON_DLIVE_KEY\\n`));
    expect(salon).toMatch(new RegExp(`ENCODEUR_VIDEO +h264_v4l2m2m +${example}:83:23 \\(group pi4\\)\\n`));
    expect(salon).toMatch(/\(\d+ setting\(s\) at their default not shown\)/);
    for (const key of Object.values(KEYS)) expect(out.stdout + out.stderr).not.toContain(key);
  });

  it('--json has every setting of every host, keys masked, with the reference it came by', async () => {
    const out = await run({ json: true });
    const report = JSON.parse(out.stdout) as InventoryReport;
    expect(report.inventory).toEqual([example]);
    expect(report.hosts.map((h) => h.name)).toEqual(['salon', 'cuisine', 'atelier']);
    const cuisine = report.hosts[1]!;
    expect(cuisine.connection).toMatchObject({ via: 'address', host: '192.168.1.21', hostname: '192.168.1.21', port: { value: 2222, from: 'host cuisine' }, user: { value: 'pi', from: 'fleet' } });
    expect(cuisine.settings).toHaveLength(SETTING_NAMES.length);
    expect(cuisine.settings.find((s) => s.name === 'KICK_CLE_FLUX')).toEqual({
      name: 'KICK_CLE_FLUX',
      value: '********',
      origin: `${example}:58:22 (host cuisine)`,
      reference: 'environment CUISINE_KICK_KEY',
      secret: true,
    });
    expect(cuisine.settings.find((s) => s.name === 'GOP')).toMatchObject({ origin: 'default' });
    for (const key of Object.values(KEYS)) expect(out.stdout).not.toContain(key);
  });

  it('--host and --limit narrow the hosts; unknown ones get the closest name', async () => {
    const one = JSON.parse((await run({ json: true, host: 'cuisine' })).stdout) as InventoryReport;
    expect(one.hosts.map((h) => h.name)).toEqual(['cuisine']);
    const limited = JSON.parse((await run({ json: true, limit: 'maison:!cuisine' })).stdout) as InventoryReport;
    expect(limited.hosts.map((h) => h.name)).toEqual(['salon']);
    await expect(run({ host: 'cusine' })).rejects.toThrow('--host: cusine: is no host of the inventory (hint: did you mean cuisine?)');
    await expect(run({ host: 'maison' })).rejects.toThrow('--host: maison: is a group, not a host (hint: use --limit maison)');
    await expect(run({ host: 'atelier', limit: 'maison' })).rejects.toThrow('--host: atelier: is not among the hosts --limit maison selects');
  });

  it('stacks the conf file under the inventory, and the environment and --var over it', async () => {
    const conf = tempFile('orbis.conf', 'NIVEAU_JOURNAL=DEBUG\nCONSERVATION_JOURNAUX=30\nGOP=60\n');
    const out = await run({ json: true, host: 'salon', conf, confExplicit: true, var: ['GOP=60'] }, { ...KEYS, ORBIS_CONSERVATION_JOURNAUX: '7' });
    const settings = (JSON.parse(out.stdout) as InventoryReport).hosts[0]!.settings;
    const origin = (name: string) => settings.find((s) => s.name === name)?.origin;
    expect(origin('NIVEAU_JOURNAL')).toBe(`${example}:78:23 (group maison)`);
    expect(origin('CONSERVATION_JOURNAUX')).toBe('environment ORBIS_CONSERVATION_JOURNAUX');
    expect(origin('GOP')).toBe('--var GOP');
    expect((JSON.parse(out.stdout) as InventoryReport).hosts[0]!.layers).toEqual([
      'default', conf, 'fleet', 'group maison', 'group pi4', 'host salon', 'environment ORBIS_<NAME>', '--var',
    ]);
  });

  it('an unset reference is a warning on stderr, and the row says so', async () => {
    const { SALON_DLIVE_KEY: _unset, ...env } = KEYS;
    const out = await run({ host: 'salon' }, env);
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe(
      `warning: ${example}:50:23: DLIVE_CLE_FLUX: refers to the environment variable SALON_DLIVE_KEY (host salon), which is not set (hint: export SALON_DLIVE_KEY=... before running orbis)\n`,
    );
    expect(out.stdout).toMatch(/DLIVE_CLE_FLUX +\(empty\) +default \[environment SALON_DLIVE_KEY \(host salon\) not set\]\n/);
  });

  it('a bad value shared by a group is one error at its file:line:col', async () => {
    const inventory = tempFile('bad.yaml', 'hosts: { a: {}, b: {} }\ngroups:\n  g:\n    hosts: [a, b]\n    vars: { DLIVE_BITRATE_VIDEO: fast }\n');
    const error = await run({ inventory: [inventory] }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `${inventory}:5:34: DLIVE_BITRATE_VIDEO: must be a whole number from 500 to 20000 (kbps); found "fast" (hint: write digits only, e.g. 3500 (the default))`,
    );
  });
});

describe('orbis inventory on the command line', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('exits 1 with every error at file:line:col', async () => {
    const inventory = tempFile('bad.yaml', 'hosts:\n  a: { prot: 22 }\n  b: { vars: { DLIVE_BITRATE_VIDEO: fast } }\ngroups:\n  g:\n    hosts: [a, b]\n    vars: { DLIVE_BITRATE_VIDEO: fast }\n');
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    const program = new Command().exitOverride();
    registerInventoryCommand(program);
    await program.parseAsync(['node', 'orbis', 'inventory', '-i', inventory, '--ssh-config', '/dev/null']);
    expect(process.exitCode).toBe(1);
    expect(stderr.join('')).toBe(`orbis inventory: ${inventory}:2:8: hosts.a.prot: unknown key (hint: did you mean port?)\n`);
  });
});
