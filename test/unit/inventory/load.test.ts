import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';
import { configErrorOf } from '../config/helpers.js';
import { fixture, inventoryErrorOf, inventoryOf, onlyIssue } from './helpers.js';

const f = 'fleet.yaml';

describe('reading an inventory', () => {
  it('reads hosts, groups, vars and connection with their positions', () => {
    const inventory = inventoryOf({
      [f]: [
        'connection: { user: pi }',
        'vars:',
        '  DLIVE_BITRATE_VIDEO: 4000',
        'hosts:',
        '  salon:',
        '    address: 192.168.1.20',
        '    port: 2222',
        '    vars: { DLIVE_CLE_FLUX: { env: SALON_KEY } }',
        '  atelier: { ssh: atelier-pi }',
        '  garage:',
        'groups:',
        '  maison: { hosts: [salon], children: [pi4] }',
        '  pi4:',
        '',
      ].join('\n'),
    });
    expect(inventory.hosts.map((h) => h.name)).toEqual(['salon', 'atelier', 'garage']);
    const salon = inventory.hosts[0]!;
    expect(salon.at).toEqual({ file: f, line: 5, col: 3 });
    expect(salon.address).toEqual({ value: '192.168.1.20', at: { file: f, line: 6, col: 14 } });
    expect(salon.connection.port).toEqual({ value: 2222, at: { file: f, line: 7, col: 11 } });
    expect(salon.vars).toEqual([{ name: 'DLIVE_CLE_FLUX', value: { kind: 'env', variable: 'SALON_KEY' }, at: { file: f, line: 8, col: 29 } }]);
    expect(inventory.hosts[1]?.ssh?.value).toBe('atelier-pi');
    expect(inventory.fleet[0]?.connection.user?.value).toBe('pi');
    expect(inventory.groups.map((g) => [g.name, g.hosts.map((h) => h.value), g.children.map((c) => c.value)])).toEqual([
      ['maison', ['salon'], ['pi4']],
      ['pi4', [], []],
    ]);
  });

  it('keeps a YAML number or boolean as the text written, as the conf file would', () => {
    const inventory = inventoryOf({ [f]: 'hosts: { a: {} }\nvars:\n  BTFS_CHAINE_ID: 0199\n  GOP: 6e1\n  DLIVE_ACTIF: True\n  NIVEAU_JOURNAL: "0644"\n' });
    expect(inventory.fleet[0]?.vars.map((v) => v.value)).toEqual([
      { kind: 'text', text: '0199' },
      { kind: 'text', text: '6e1' },
      { kind: 'text', text: 'True' },
      { kind: 'text', text: '0644' },
    ]);
  });

  it('makes a relative key path absolute from the inventory file, and leaves ~/ to ssh', () => {
    const inventory = inventoryOf({ '/srv/fleet/pis.yaml': 'connection: { key: keys/orbis }\nhosts: { a: { key: ~/.ssh/a } }\n' });
    expect(inventory.fleet[0]?.connection.key?.value).toBe('/srv/fleet/keys/orbis');
    expect(inventory.hosts[0]?.connection.key?.value).toBe('~/.ssh/a');
  });

  it('reads the shipped example and the fixtures directory (files in name order)', () => {
    const example = loadInventory(fixture('../../../inventory/example.yaml'), { isTracked: () => false });
    expect(example.hosts.map((h) => h.name)).toEqual(['salon', 'cuisine', 'atelier']);
    expect(example.warnings).toEqual([]);
    const dir = loadInventory(fixture('split'), { isTracked: () => false });
    expect(dir.files.map((file) => file.split('/').pop())).toEqual(['10-hosts.yaml', '20-groups.yml']);
    expect(dir.groups.map((g) => g.name)).toEqual(['studio']);
    expect(dir.fleet.map((s) => s.vars.length)).toEqual([1, 0]);
  });
});

describe('inventory errors, each at file:line:col with a hint', () => {
  it('an unknown key, with "did you mean" at every level', () => {
    expect(onlyIssue({ [f]: 'host:\n  a: {}\n' })).toBe('fleet.yaml:1:1: host: unknown key (hint: did you mean hosts?)');
    expect(onlyIssue({ [f]: 'hosts:\n  a:\n    adress: 10.0.0.1\n' })).toBe('fleet.yaml:3:5: hosts.a.adress: unknown key (hint: did you mean address?)');
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\ngroups:\n  g: { hosts: [a], chidren: [] }\n' })).toBe('fleet.yaml:3:20: groups.g.chidren: unknown key (hint: did you mean children?)');
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nconnection: { usr: pi }\n' })).toBe('fleet.yaml:2:15: connection.usr: unknown key (hint: did you mean user?)');
    expect(onlyIssue({ [f]: 'hosts:\n  a:\n    vars: { DLIVE_CLE_FLUX: { evn: K } }\n' })).toBe('fleet.yaml:3:31: hosts.a.vars.DLIVE_CLE_FLUX.evn: unknown key (hint: did you mean env?)');
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nwhatever: 1\n' })).toBe('fleet.yaml:2:1: whatever: unknown key (hint: allowed here: connection, vars, hosts, groups)');
  });

  it('a port written wrongly', () => {
    expect(onlyIssue({ [f]: 'hosts:\n  a: { port: "2222" }\n' })).toBe('fleet.yaml:2:14: hosts.a.port: must be a whole number from 1 to 65535 (hint: write a number without quotes, e.g. port: 2222)');
    expect(onlyIssue({ [f]: 'hosts:\n  a: { port: 70000 }\n' })).toMatch(/^fleet\.yaml:2:14: hosts\.a\.port: must be a whole number from 1 to 65535/);
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\ngroups:\n  g:\n    connection: { port: 22.5 }\n' })).toMatch(/^fleet\.yaml:4:25: groups\.g\.connection\.port: must be a whole number/);
  });

  it('a host or group that is not a map', () => {
    expect(onlyIssue({ [f]: 'hosts:\n  salon: 192.168.1.20\n' })).toBe(
      'fleet.yaml:2:10: hosts.salon: must be a map (address, user, port, key, ssh, vars), or empty (hint: e.g. salon: { address: 192.168.1.20, user: pi })',
    );
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\ngroups:\n  maison: [a]\n' })).toBe(
      'fleet.yaml:3:11: groups.maison: must be a map (hosts, children, connection, vars), or empty (hint: e.g. maison: { hosts: [salon, cuisine] })',
    );
  });

  it('an address with user@ or :port in it', () => {
    expect(onlyIssue({ [f]: 'hosts:\n  a: { address: pi@10.0.0.1 }\n' })).toBe(
      'fleet.yaml:2:17: hosts.a.address: must be a host name or IP address, without user@, :port or brackets (hint: e.g. address: 192.168.1.20; user and port have keys of their own)',
    );
  });

  it('an unknown setting name in vars, with the closest known one', () => {
    expect(onlyIssue({ [f]: 'hosts:\n  a:\n    vars:\n      DLIVE_BITRATE_VIDEOS: 4000\n' })).toBe(
      'fleet.yaml:4:7: hosts.a.vars.DLIVE_BITRATE_VIDEOS: is not an orbis setting (hint: did you mean DLIVE_BITRATE_VIDEO?)',
    );
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nvars: { NOTHING_LIKE_IT_AT_ALL: 1 }\n' })).toBe(
      'fleet.yaml:2:9: vars.NOTHING_LIKE_IT_AT_ALL: is not an orbis setting (hint: see conf/orbis.conf.example for the settings)',
    );
  });

  it('a var that is not one value, or a reference that is not one', () => {
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nvars:\n  GOP: [1, 2]\n' })).toBe(
      'fleet.yaml:3:8: vars.GOP: must be one value (text, a number, true/false) or a reference { env: NAME } (hint: write one value, or a reference such as { env: SALON_DLIVE_KEY })',
    );
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nvars:\n  GOP:\n' })).toBe("fleet.yaml:3:3: vars.GOP: has no value (hint: write a value ('' for an empty one), or remove the line)");
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nvars:\n  KICK_CLE_FLUX: { env: A, secret: b }\n' })).toMatch(/^fleet\.yaml:3:18: vars\.KICK_CLE_FLUX: a reference gives exactly one of env or secret/);
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nvars:\n  KICK_CLE_FLUX: { env: MY-KEY }\n' })).toMatch(/^fleet\.yaml:3:25: vars\.KICK_CLE_FLUX\.env: must be an environment variable name/);
    // A reference of the wrong type inside fails every branch of the value's union: reported at the reference's own value.
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nvars:\n  KICK_CLE_FLUX: { env: true }\n' })).toMatch(/^fleet\.yaml:3:25: vars\.KICK_CLE_FLUX\.env: must name an environment variable/);
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nvars:\n  KICK_CLE_FLUX: { secret: 12 }\n' })).toMatch(/^fleet\.yaml:3:28: vars\.KICK_CLE_FLUX\.secret: must name a secret/);
  });

  it('unknown hosts and groups in a group, telling a group from a host', () => {
    const hosts = 'hosts: { salon: {}, cuisine: {} }\n';
    expect(onlyIssue({ [f]: `${hosts}groups:\n  g: { hosts: [salon, cusine] }\n` })).toBe('fleet.yaml:3:23: groups.g.hosts[1]: no host named cusine (hint: did you mean cuisine?)');
    const mixed = inventoryErrorOf({ [f]: `${hosts}groups:\n  g: { hosts: [h] }\n  h: { children: [salon] }\n` });
    expect(mixed.message.split('\n')).toEqual([
      'fleet.yaml:3:16: groups.g.hosts[0]: h is a group, not a host (hint: list it under children: [h])',
      'fleet.yaml:4:19: groups.h.children[0]: salon is a host, not a group (hint: list it under hosts: [salon])',
    ]);
    expect(onlyIssue({ [f]: `${hosts}groups:\n  g: { children: [nowhere] }\n` })).toBe('fleet.yaml:3:19: groups.g.children[0]: no group named nowhere (hint: define it under groups:)');
  });

  it('cycles in nested groups, at the reference that closes them', () => {
    const text = 'hosts: { a: {} }\ngroups:\n  x: { children: [y] }\n  y: { children: [z] }\n  z: { children: [x] }\n  self: { children: [self] }\n';
    expect(inventoryErrorOf({ [f]: text }).message.split('\n')).toEqual([
      'fleet.yaml:5:19: groups.z.children: groups contain each other: x -> y -> z -> x (hint: remove x from these children, or list the hosts of one group in the other)',
      'fleet.yaml:6:22: groups.self.children: groups contain each other: self -> self (hint: remove self from these children, or list the hosts of one group in the other)',
    ]);
  });

  it('duplicate host names, in one file and across files', () => {
    expect(onlyIssue({ [f]: 'hosts:\n  salon: {}\n  salon: { port: 22 }\n' })).toBe('fleet.yaml:3:3: hosts.salon: host salon is defined twice (hint: first at line 2, column 3; keep one of them)');
    expect(onlyIssue({ 'a.yaml': 'hosts: { salon: {} }\n', 'b.yaml': 'hosts:\n  salon: {}\n' })).toBe('b.yaml:2:3: hosts.salon: host salon is defined twice (hint: also at a.yaml:1:10; keep one of them)');
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\nvars:\n  GOP: 60\n  GOP: 50\n' })).toBe('fleet.yaml:4:3: vars.GOP: GOP is set twice in the same vars (hint: first at line 3, column 3; keep one of them)');
  });

  it('names: invalid, reserved, or shared by a host and a group', () => {
    expect(onlyIssue({ [f]: 'hosts:\n  "pi*": {}\n' })).toMatch(/^fleet\.yaml:2:3: hosts\.pi\*: is not a valid host name \(a letter, then/);
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\ngroups:\n  all: { hosts: [a] }\n' })).toBe('fleet.yaml:3:3: groups.all: "all" is reserved: it means every host (hint: choose another name)');
    expect(onlyIssue({ [f]: 'hosts: { salon: {} }\ngroups:\n  salon: { hosts: [salon] }\n' })).toBe(
      'fleet.yaml:3:3: groups.salon: a host is named salon too (fleet.yaml:1:10) (hint: rename one: --limit would not know which is meant)',
    );
  });

  it('YAML syntax, an empty inventory, a missing file', () => {
    expect(onlyIssue({ [f]: 'hosts:\n  a: { port: 22\n' })).toMatch(/^fleet\.yaml:2:6: .* \(hint: fix the YAML syntax/);
    // Noticed where the text runs out, reported where the user must look: the opening quote or
    // bracket, the misaligned key; the library's own "at line L, column C" is not repeated.
    expect(onlyIssue({ [f]: 'hosts:\n  a:\n    address: "10.0.0.1\n    port: 22\n' })).toMatch(/^fleet\.yaml:3:14: Missing closing "quote \(hint:/);
    expect(onlyIssue({ [f]: "hosts:\n  a:\n    user: 'it''s\n" })).toMatch(/^fleet\.yaml:3:11: Missing closing 'quote \(hint:/);
    expect(onlyIssue({ [f]: 'hosts:\n  a:\n    vars: { GOP: [60], X: 1\n    port: 22\n' })).toMatch(/^fleet\.yaml:3:11: Flow map/);
    expect(onlyIssue({ [f]: 'hosts: { a: {} }\ngroups:\n  g:\n    hosts: [a, b\n    children: []\n' })).toMatch(/^fleet\.yaml:4:12: Flow sequence/);
    expect(onlyIssue({ [f]: 'hosts:\n  a:\n    port: 22\n   user: pi\n' })).toMatch(/^fleet\.yaml:4:4: All mapping items must start at the same column \(hint:/);
    expect(onlyIssue({ [f]: '# nothing yet\n' })).toBe('fleet.yaml: the inventory defines no hosts (hint: add a hosts: map, e.g. hosts: { salon: { address: 192.168.1.20, user: pi } })');
    expect(configErrorOf(() => loadInventory('/nonexistent/fleet.yaml')).message).toBe('/nonexistent/fleet.yaml: no such file (hint: check the path; inventory/example.yaml shows the format)');
  });

  it('reports every problem of every file at once, in file order', () => {
    const error = inventoryErrorOf({ 'a.yaml': 'hosts:\n  a: { port: x }\n  b: { usr: pi }\n', 'b.yaml': 'hosts: { c: { vars: { GOPP: 1 } } }\n' });
    expect(error.issues.map((i) => `${i.file}:${i.line}`)).toEqual(['a.yaml:2', 'a.yaml:3', 'b.yaml:1']);
  });
});

describe('the inventory `orbis lab up` prints', () => {
  it('loads as it is, with hosts reached as the lab says', async () => {
    const { labInventory } = await import('../../../src/lab/inventory.js');
    const state = {
      name: 'orbis', subnet: '10.213.0.0/24', dir: '/var/lib/orbis-lab/orbis', knownHostsPath: '/lab/known_hosts', caCertPath: '/lab/ca.pem',
      ingest: { address: '10.213.0.2', dlive: { url: 'rtmp://stream.dlive.tv/live', recordingsDir: '/r/dlive' }, kick: { url: 'rtmps://kick:443/app', recordingsDir: '/r/kick' } },
      btfs: { version: '4.1.0', testCid: 'Qm', bootstrapUrl: 'http://10.213.0.2/btfs/', releases: { amd64: { arch: 'amd64', url: 'http://x/btfs.tgz', sha256: 'ab' } } },
      hosts: { pi1: { address: '10.213.0.10', user: 'pi', port: 22, keyPath: '/lab/id_ed25519' }, pi2: { address: '10.213.0.11', user: 'pi', port: 22, keyPath: '/lab/id_ed25519' } },
    } as unknown as Parameters<typeof labInventory>[0];
    const inventory = inventoryOf({ '/lab/inventory.yaml': labInventory(state) });
    expect(inventory.hosts.map((h) => [h.name, h.address?.value, h.connection.user?.value, h.connection.port?.value, h.connection.key?.value])).toEqual([
      ['pi1', '10.213.0.10', 'pi', 22, '/lab/id_ed25519'],
      ['pi2', '10.213.0.11', 'pi', 22, '/lab/id_ed25519'],
    ]);
  });
});
