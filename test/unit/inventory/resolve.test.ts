import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/index.js';
import { hostTarget, loadInventory, resolveHost, resolveHosts } from '../../../src/inventory/index.js';
import { configErrorOf } from '../config/helpers.js';
import { fixture, inventoryOf } from './helpers.js';

const precedence = () => loadInventory(fixture('precedence.yaml'), { isTracked: () => false });
const file = fixture('precedence.yaml');

describe('precedence: fleet < parent group < child group < host', () => {
  it('orders a host\'s layers: fleet, groups by depth then as written, the host', () => {
    const inventory = precedence();
    expect(resolveHost(inventory, 'salon').layers.map((l) => l.name)).toEqual(['fleet', 'group maison', 'group ouest', 'group est', 'group pi4', 'host salon']);
    expect(resolveHost(inventory, 'salon').groups).toEqual(['maison', 'ouest', 'est', 'pi4']);
    expect(resolveHost(inventory, 'cuisine').layers.map((l) => l.name)).toEqual(['fleet', 'group maison', 'host cuisine']);
  });

  it('each value comes from the highest level that sets it, with its position', () => {
    const salon = loadSettings({ layers: resolveHost(precedence(), 'salon').layers, env: {} });
    expect(salon.settings.CONSERVATION_JOURNAUX).toBe(40);
    expect(salon.settings.TENTATIVES_RECONNEXION).toBe(30);
    expect(salon.settings.DELAI_RECONNEXION).toBe(20);
    expect(salon.settings.NGINX_DELAI_RECONNEXION_PUSH).toBe(60);
    expect(salon.origins.CONSERVATION_JOURNAUX).toEqual({ kind: 'layer', layer: 'host salon', position: { file, line: 11, col: 30 } });
    expect(salon.origins.TENTATIVES_RECONNEXION).toEqual({ kind: 'layer', layer: 'group pi4', position: { file, line: 19, col: 31 } });
    expect(salon.origins.NGINX_DELAI_RECONNEXION_PUSH).toMatchObject({ layer: 'group est' });

    const cuisine = loadSettings({ layers: resolveHost(precedence(), 'cuisine').layers, env: {} });
    expect([cuisine.settings.CONSERVATION_JOURNAUX, cuisine.settings.NGINX_DELAI_RECONNEXION_PUSH]).toEqual([20, 10]);
    expect(cuisine.origins.NGINX_DELAI_RECONNEXION_PUSH).toMatchObject({ layer: 'fleet' });
  });

  it('sits between the conf file and the environment, --var on top', () => {
    const salon = loadSettings({
      confPath: 'conf/orbis.conf',
      confText: 'CONSERVATION_JOURNAUX=5\nJOURNAL_TAILLE_MAX=32M\n',
      layers: resolveHost(precedence(), 'salon').layers,
      env: { ORBIS_DELAI_RECONNEXION: '70' },
      vars: ['TENTATIVES_RECONNEXION=80'],
    });
    expect(salon.settings.CONSERVATION_JOURNAUX).toBe(40);
    expect(salon.origins.JOURNAL_TAILLE_MAX).toMatchObject({ kind: 'file', file: 'conf/orbis.conf', line: 2 });
    expect(salon.origins.DELAI_RECONNEXION).toEqual({ kind: 'env', variable: 'ORBIS_DELAI_RECONNEXION' });
    expect(salon.settings.TENTATIVES_RECONNEXION).toBe(80);
  });

  it('between sibling groups, the order they are written decides', () => {
    const text = (first: string, second: string) =>
      `hosts: { a: {} }\ngroups:\n  ${first}: { hosts: [a], vars: { CONSERVATION_JOURNAUX: ${first === 'x' ? 30 : 60} } }\n  ${second}: { hosts: [a], vars: { CONSERVATION_JOURNAUX: ${second === 'x' ? 30 : 60} } }\n`;
    const gop = (t: string) => loadSettings({ layers: resolveHost(inventoryOf({ 'f.yaml': t }), 'a').layers, env: {} }).settings.CONSERVATION_JOURNAUX;
    expect(gop(text('x', 'y'))).toBe(60);
    expect(gop(text('y', 'x'))).toBe(30);
  });

  it('a group with two parents comes after both; a grandchild after its parent', () => {
    const inventory = inventoryOf({
      'f.yaml': 'hosts: { h: {} }\ngroups:\n  leaf: { hosts: [h] }\n  mid: { children: [leaf] }\n  b: { children: [leaf] }\n  a: { children: [mid] }\n',
    });
    expect(resolveHost(inventory, 'h').groups).toEqual(['b', 'a', 'mid', 'leaf']);
  });

  it('fleet vars of several files apply in file order', () => {
    const inventory = inventoryOf({ 'a.yaml': 'vars: { CONSERVATION_JOURNAUX: 30 }\nhosts: { h: {} }\n', 'b.yaml': 'vars: { CONSERVATION_JOURNAUX: 60 }\n' });
    const loaded = loadSettings({ layers: resolveHost(inventory, 'h').layers, env: {} });
    expect(loaded.settings.CONSERVATION_JOURNAUX).toBe(60);
    expect(loaded.origins.CONSERVATION_JOURNAUX).toEqual({ kind: 'layer', layer: 'fleet', position: { file: 'b.yaml', line: 1, col: 32 } });
  });

  it('a bad value is reported by the config layer at its place in the YAML', () => {
    const inventory = inventoryOf({ 'f.yaml': 'hosts:\n  a:\n    vars:\n      DLIVE_BITRATE_VIDEO: 4500k\n' });
    const error = configErrorOf(() => loadSettings({ layers: resolveHost(inventory, 'a').layers, env: {} }));
    expect(error.message).toMatch(/^f\.yaml:4:28: DLIVE_BITRATE_VIDEO: /);
  });
});

describe('connection per host', () => {
  const inventory = () =>
    inventoryOf({
      'f.yaml': [
        'connection: { user: pi, key: /keys/fleet }',
        'hosts:',
        '  salon: { address: 192.168.1.20 }',
        '  cuisine: { address: 192.168.1.21, port: 2222, user: orbis }',
        '  atelier: { ssh: atelier-pi }',
        '  garage: { ssh: garage-pi, user: admin }',
        '  grenier: {}',
        '  cave: { address: "fe80::1", port: 22 }',
        'groups:',
        '  remote:',
        '    hosts: [atelier, garage, grenier]',
        '    connection: { key: /keys/remote, port: 2200 }',
        '',
      ].join('\n'),
    });

  it('fleet < group < host, for user, port and key', () => {
    const [salon, cuisine, , , grenier] = resolveHosts(inventory(), ['salon', 'cuisine', 'atelier', 'garage', 'grenier']);
    expect(salon?.target).toBe('pi@192.168.1.20');
    expect(salon?.connect).toEqual({ user: 'pi', identityFile: '/keys/fleet' });
    expect(cuisine?.target).toBe('orbis@192.168.1.21:2222');
    expect(cuisine?.connection.user).toMatchObject({ value: 'orbis', from: 'host cuisine' });
    expect(grenier?.target).toBe('pi@grenier:2200');
    expect(grenier?.connection).toMatchObject({ via: 'name', host: 'grenier', key: { value: '/keys/remote', from: 'group remote' } });
  });

  it('an ~/.ssh/config alias takes only the host\'s own values, not the fleet\'s or a group\'s', () => {
    const [atelier, garage] = resolveHosts(inventory(), ['atelier', 'garage']);
    expect(atelier?.target).toBe('atelier-pi');
    expect(atelier?.connect).toEqual({});
    expect(atelier?.connection.via).toBe('ssh-config');
    expect(garage?.target).toBe('admin@garage-pi');
  });

  it('an IPv6 address is bracketed so the port stays apart', () => {
    expect(resolveHost(inventory(), 'cave').target).toBe('pi@[fe80::1]:22');
  });

  it('gives what app/request.ts takes (HostTarget) plus the per-host connect options', () => {
    const target = hostTarget(resolveHost(inventory(), 'cuisine'));
    expect(target).toMatchObject({ name: 'cuisine', target: 'orbis@192.168.1.21:2222', connect: { user: 'orbis', port: 2222, identityFile: '/keys/fleet' } });
    expect(target.layers.map((l) => l.name)).toEqual(['fleet', 'host cuisine']);
  });

  it('an unknown host is a clear error', () => {
    expect(configErrorOf(() => resolveHost(inventory(), 'nope')).message).toMatch(/^inventory: no host named nope \(hint: the hosts are: salon, cuisine/);
  });
});
