import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, keyTypeOf, pinnedHostKeyAlgorithms } from '../../../src/transport/host-key.js';
import { decideHostKey } from '../../../src/transport/host-key-policy.js';
import {
  appendKnownHostsLine,
  formatKnownHostsLine,
  hostFieldMatches,
  knownHostsName,
  lookupKnownHosts,
  parseKnownHosts,
  withKnownHostsLock,
} from '../../../src/transport/known-hosts.js';
import { makeKey, removeDir, tempDir, type KeyFiles } from './fake-sshd.js';

let dir: string;
let ed: KeyFiles;
let ed2: KeyFiles;
let rsa: KeyFiles;

beforeAll(() => {
  dir = tempDir();
  ed = makeKey(dir, 'ed');
  ed2 = makeKey(dir, 'ed2');
  rsa = makeKey(dir, 'rsa', 'rsa');
});
afterAll(() => removeDir(dir));

function b64(k: KeyFiles): string {
  return k.blob.toString('base64');
}

describe('host keys', () => {
  it('reads the key type from the blob', () => {
    expect(keyTypeOf(ed.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(rsa.blob)).toBe('ssh-rsa');
    expect(() => keyTypeOf(Buffer.from([0, 0]))).toThrow(/too short/);
  });

  it('prints fingerprints exactly as ssh-keygen -lf does', () => {
    for (const key of [ed, rsa]) {
      const line = execFileSync('ssh-keygen', ['-lf', `${key.path}.pub`], { encoding: 'utf8' });
      expect(line.split(' ')[1]).toBe(fingerprintOf(key.blob));
    }
    expect(fingerprintOf(ed.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('pins the algorithms to the key types held, RSA through its SHA-2 signatures first', () => {
    expect(pinnedHostKeyAlgorithms(['ssh-ed25519'])).toEqual(['ssh-ed25519']);
    expect(pinnedHostKeyAlgorithms(['ssh-rsa'])).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(pinnedHostKeyAlgorithms(['ssh-rsa', 'ecdsa-sha2-nistp256', 'ssh-ed25519'])).toEqual([
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(pinnedHostKeyAlgorithms([])).toBeUndefined();
    expect(pinnedHostKeyAlgorithms(['sk-ssh-ed25519@openssh.com'])).toBeUndefined();
  });
});

describe('known_hosts names and patterns', () => {
  it('files port 22 under the bare name and other ports as [host]:port, lower-cased', () => {
    expect(knownHostsName('Pi.Lan', 22)).toBe('pi.lan');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });

  it.each([
    ['pi.lan', 'pi.lan', true],
    ['other,pi.lan', 'pi.lan', true],
    ['PI.LAN', 'pi.lan', true],
    ['*.lan', 'pi.lan', true],
    ['pi?.lan', 'pi1.lan', true],
    ['pi?.lan', 'pi.lan', false],
    ['*.lan,!pi.lan', 'pi.lan', false],
    ['!pi.lan,*.lan', 'pi.lan', false],
    ['*', '[10.0.0.5]:2222', true],
    ['[10.0.0.5]:2222', '[10.0.0.5]:2222', true],
    ['10.0.0.5', '[10.0.0.5]:2222', false],
    ['[10.0.0.5]:2222', '10.0.0.5', false],
    ['[10.0.0.*]:2222', '[10.0.0.7]:2222', true],
    ['pi.lan.evil', 'pi.lan', false],
    ['p.lan', 'pi.lan', false],
  ])('%s covers %s: %s', (field, name, expected) => {
    expect(hostFieldMatches(field, name)).toBe(expected);
  });

  it('matches hashed names (HMAC-SHA1 of the salt) and nothing else', () => {
    const line = formatKnownHostsLine('[10.0.0.5]:2222', ed.blob, { hash: true });
    const field = line.split(' ')[0] ?? '';
    expect(field).toMatch(/^\|1\|[A-Za-z0-9+/=]{28}\|[A-Za-z0-9+/=]{28}$/);
    expect(hostFieldMatches(field, '[10.0.0.5]:2222')).toBe(true);
    expect(hostFieldMatches(field, '10.0.0.5')).toBe(false);
    expect(hostFieldMatches('|1|bad', '10.0.0.5')).toBe(false);
  });
});

describe('parsing known_hosts', () => {
  it('reads plain, comma-list, bracketed, hashed and marked lines with their line numbers', () => {
    const hashed = formatKnownHostsLine('pi3.lan', ed.blob, { hash: true }).trim();
    const text = [
      '# comment',
      '',
      `pi.lan,10.0.0.5 ssh-ed25519 ${b64(ed)} a comment`,
      `[10.0.0.6]:2222 ssh-rsa ${b64(rsa)}`,
      `  ${hashed}`,
      `@revoked * ssh-ed25519 ${b64(ed2)}`,
      `@cert-authority *.lan ssh-ed25519 ${b64(ed2)}`,
      `@bogus pi.lan ssh-ed25519 ${b64(ed2)}`,
      'short line',
      `pi.lan ssh-rsa ${b64(ed)}`, // type field disagrees with the blob: skipped as OpenSSH does
      `pi.lan ssh-ed25519 not!base64`,
    ].join('\n');
    const entries = parseKnownHosts(text, '/kh');
    expect(entries.map((e) => [e.line, e.marker, e.hosts.slice(0, 12), e.keyType])).toEqual([
      [3, null, 'pi.lan,10.0.', 'ssh-ed25519'],
      [4, null, '[10.0.0.6]:2', 'ssh-rsa'],
      [5, null, '|1|' + (hashed.split('|')[2] ?? '').slice(0, 9), 'ssh-ed25519'],
      [6, 'revoked', '*', 'ssh-ed25519'],
      [7, 'cert-authority', '*.lan', 'ssh-ed25519'],
    ]);
    expect(entries[0]?.key.equals(ed.blob)).toBe(true);
  });

  it('looks up across files, in order, ignoring missing ones', async () => {
    const a = join(dir, 'kh-a');
    const b = join(dir, 'kh-b');
    writeFileSync(a, `pi.lan ssh-ed25519 ${b64(ed)}\nother ssh-ed25519 ${b64(ed2)}\n`);
    writeFileSync(b, `*.lan ssh-rsa ${b64(rsa)}\n`);
    const found = await lookupKnownHosts([a, join(dir, 'missing'), b], 'pi.lan');
    expect(found.map((e) => `${e.file}:${e.line}`)).toEqual([`${a}:1`, `${b}:1`]);
  });
});

describe('deciding on a presented key', () => {
  const entry = (key: KeyFiles, marker: 'revoked' | 'cert-authority' | null = null, line = 1) => ({
    file: '/kh',
    line,
    marker,
    hosts: 'pi.lan',
    keyType: keyTypeOf(key.blob),
    key: key.blob,
  });

  it('knows a recorded key', () => {
    expect(decideHostKey([entry(ed)], ed.blob)).toMatchObject({ kind: 'known' });
  });
  it('treats no entry, or only a cert-authority line, as unknown', () => {
    expect(decideHostKey([], ed.blob)).toEqual({ kind: 'unknown' });
    expect(decideHostKey([entry(ed2, 'cert-authority')], ed.blob)).toEqual({ kind: 'unknown' });
  });
  it('calls a different key of the same type changed, naming the expected entries', () => {
    const decision = decideHostKey([entry(rsa, null, 1), entry(ed2, null, 2)], ed.blob);
    expect(decision).toMatchObject({ kind: 'changed' });
    if (decision.kind === 'changed') expect(decision.expected.map((e) => e.line)).toEqual([2]);
  });
  it('calls a key of a type we hold none of changed too (the server lost every key we know)', () => {
    const decision = decideHostKey([entry(rsa)], ed.blob);
    expect(decision).toMatchObject({ kind: 'changed' });
  });
  it('refuses a revoked key even when it is also recorded', () => {
    expect(decideHostKey([entry(ed), entry(ed, 'revoked', 2)], ed.blob)).toMatchObject({ kind: 'revoked' });
  });
  it('accepts any recorded key when several are on record', () => {
    expect(decideHostKey([entry(ed2), entry(ed, null, 2)], ed.blob)).toMatchObject({ kind: 'known', entry: { line: 2 } });
  });
});

describe('writing known_hosts', () => {
  it('writes plain lines that OpenSSH finds (ssh-keygen -F), adding a missing final newline first', async () => {
    const file = join(dir, 'sub', 'known_hosts');
    await appendKnownHostsLine(file, formatKnownHostsLine('[127.0.0.1]:2222', ed.blob));
    writeFileSync(file, readFileSync(file, 'utf8').trimEnd()); // as if edited by hand, no final newline
    await appendKnownHostsLine(file, formatKnownHostsLine('pi.lan', rsa.blob));
    expect(readFileSync(file, 'utf8')).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${b64(ed)}\npi.lan ssh-rsa ${b64(rsa)}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], { encoding: 'utf8' });
    expect(found).toContain(b64(ed));
  });

  it('writes hashed lines that OpenSSH finds too', async () => {
    const file = join(dir, 'hashed_known_hosts');
    await appendKnownHostsLine(file, formatKnownHostsLine('[127.0.0.1]:2222', ed.blob, { hash: true }));
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], { encoding: 'utf8' });
    expect(found).toContain(b64(ed));
  });

  it('reads lines hashed by ssh-keygen -H', async () => {
    const file = join(dir, 'to_hash');
    writeFileSync(file, `[127.0.0.1]:2222 ssh-ed25519 ${b64(ed)}\npi.lan ssh-rsa ${b64(rsa)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).not.toContain('pi.lan');
    expect((await lookupKnownHosts([file], '[127.0.0.1]:2222')).map((e) => e.keyType)).toEqual(['ssh-ed25519']);
    expect((await lookupKnownHosts([file], 'pi.lan')).map((e) => e.keyType)).toEqual(['ssh-rsa']);
    expect(await lookupKnownHosts([file], '127.0.0.1')).toEqual([]);
  });

  it('serializes concurrent check-then-append sections on one file', async () => {
    const file = join(dir, 'concurrent');
    const order: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withKnownHostsLock(file, async () => {
          order.push(`start${i}`);
          const before = (await lookupKnownHosts([file], `h${i}`)).length;
          await new Promise((r) => setTimeout(r, 1));
          await appendKnownHostsLine(file, formatKnownHostsLine(`h${i}`, ed.blob));
          order.push(`end${i}`);
          return before;
        }),
      ),
    );
    // Never two sections at once: each start is followed by its own end.
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]?.replace('start', 'end'));
    expect(parseKnownHosts(readFileSync(file, 'utf8'), file)).toHaveLength(20);
  });

  it('keeps the queue going after a failed section', async () => {
    const file = join(dir, 'failing');
    await expect(withKnownHostsLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withKnownHostsLock(file, async () => 'next')).resolves.toBe('next');
  });
});
