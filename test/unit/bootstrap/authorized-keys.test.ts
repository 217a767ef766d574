// The authorized_keys installer, run for real with bash against a temp HOME (as the login user
// runs it on the Pi), and the choice of the key to install.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTALL_KEY_SCRIPT, parseInstallAnswer } from '../../../src/bootstrap/authorized-keys.js';
import { ensureNewKey, keyToInstall, publicKeyOfFile } from '../../../src/bootstrap/public-key.js';
import { makeKey } from '../transport/fake-sshd.js';

const root = mkdtempSync(join(tmpdir(), 'orbis-authkeys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let homes = 0;

function freshHome(): string {
  const home = join(root, `home${++homes}`);
  mkdirSync(home, { mode: 0o755 });
  return home;
}

function install(home: string, line: string) {
  const stdout = execFileSync('bash', ['-c', INSTALL_KEY_SCRIPT], { input: `${line}\n`, env: { PATH: process.env.PATH, HOME: home } }).toString();
  return parseInstallAnswer(stdout);
}

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFraq68WdHQIZB/IB5QgHWBx+9pCinlsBDIp7kh4GEZq me@laptop';

describe('installing the key in ~/.ssh/authorized_keys', () => {
  it('creates ~/.ssh 0700 and authorized_keys 0600 on a fresh account', () => {
    const home = freshHome();
    expect(install(home, KEY)).toEqual({ added: true, fixed: [], file: join(home, '.ssh', 'authorized_keys') });
    expect(mode(join(home, '.ssh'))).toBe('700');
    expect(mode(join(home, '.ssh', 'authorized_keys'))).toBe('600');
    expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toBe(`${KEY}\n`);
  });

  it('adds nothing the second time, even with other options or comment, and keeps other keys', () => {
    const home = freshHome();
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    const other = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDother other@host';
    writeFileSync(join(home, '.ssh', 'authorized_keys'), `${other}`, { mode: 0o600 }); // no final newline
    expect(install(home, KEY).added).toBe(true);
    expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toBe(`${other}\n${KEY}\n`);
    const [type, blob] = KEY.split(' ');
    expect(install(home, `${type} ${blob} another-comment`).added).toBe(false);
    writeFileSync(join(home, '.ssh', 'authorized_keys'), `from="10.0.0.0/8" ${KEY}\n`, { mode: 0o600 });
    expect(install(home, KEY).added).toBe(false);
  });

  it('puts loose modes right and says so; warns about a home others can write to', () => {
    const home = freshHome();
    mkdirSync(join(home, '.ssh'), { mode: 0o755 });
    chmodSync(join(home, '.ssh'), 0o755);
    writeFileSync(join(home, '.ssh', 'authorized_keys'), '', { mode: 0o644 });
    chmodSync(join(home, '.ssh', 'authorized_keys'), 0o644);
    chmodSync(home, 0o775);
    const answer = install(home, KEY);
    expect(answer.fixed).toEqual(['~/.ssh:0700', 'authorized_keys:0600']);
    expect(answer.homeWritable).toBe('775');
    expect(mode(join(home, '.ssh'))).toBe('700');
  });

  it('refuses a line that is not a key line', () => {
    expect(() => install(freshHome(), '')).toThrow();
  });
});

describe('the key to install', () => {
  const dir = join(root, 'keys');
  mkdirSync(dir);
  const a = makeKey(dir, 'a');
  const b = makeKey(dir, 'b');

  it('is the first key file the connection offers, read from its .pub', async () => {
    const key = await keyToInstall({ identityFiles: [join(dir, 'missing'), a.path, b.path], identitySource: 'config', identitiesOnly: false, agentSocket: undefined });
    expect(key.line).toBe(a.pub);
    expect(key.source).toBe(a.path);
    expect(key.fingerprint).toBe(execFileSync('ssh-keygen', ['-lf', a.path]).toString().split(' ')[1]);
  });

  it('is derived from the private key when there is no .pub', () => {
    rmSync(`${b.path}.pub`);
    expect(publicKeyOfFile(b.path)?.line.split(' ').slice(0, 2)).toEqual(b.pub.split(' ').slice(0, 2));
  });

  it('says what to do when there is none', async () => {
    await expect(keyToInstall({ identityFiles: [join(dir, 'none')], identitySource: 'default', identitiesOnly: false, agentSocket: undefined })).rejects.toThrow(/no SSH key to install/);
  });

  it('--new-key makes an ed25519 pair once (0600 private key) and reuses it afterwards', () => {
    const path = join(root, 'new', '.ssh', 'orbis_ed25519');
    expect(ensureNewKey(path)).toEqual({ path, created: true });
    expect(mode(path)).toBe('600');
    expect(existsSync(`${path}.pub`)).toBe(true);
    expect(execFileSync('ssh-keygen', ['-lf', path]).toString()).toMatch(/ED25519/);
    const before = readFileSync(path, 'utf8');
    expect(ensureNewKey(path)).toEqual({ path, created: false });
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
