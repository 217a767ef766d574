// src/pi/authorized-keys.sh: shellcheck-clean as a file and as sent, and the key appended once
// however often it runs. (Its modes and answers: test/unit/bootstrap/authorized-keys.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INSTALL_KEY_SCRIPT, parseInstallAnswer } from '../../../src/bootstrap/authorized-keys.js';
import { shellcheckPiFile, shellcheckSent } from './shellcheck.js';

const root = mkdtempSync(join(tmpdir(), 'orbis-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFraq68WdHQIZB/IB5QgHWBx+9pCinlsBDIp7kh4GEZq me@laptop';

describe('authorized-keys.sh', () => {
  it('appends the key once, then finds it there', () => {
    const home = join(root, 'home');
    mkdirSync(home, { mode: 0o755 });
    const run = () => parseInstallAnswer(execFileSync('bash', ['-c', INSTALL_KEY_SCRIPT], { input: `${KEY}\n`, env: { PATH: process.env.PATH, HOME: home } }).toString());
    expect(run()).toMatchObject({ added: true, fixed: [] });
    expect(run()).toMatchObject({ added: false, fixed: [] });
    expect(run()).toMatchObject({ added: false, fixed: [] });
    expect(readFileSync(join(home, '.ssh', 'authorized_keys'), 'utf8')).toBe(`${KEY}\n`);
  });

  it('is shellcheck-clean, as a file and as sent', () => {
    expect(shellcheckPiFile('authorized-keys.sh')).toBe('');
    expect(shellcheckSent(INSTALL_KEY_SCRIPT)).toBe('');
  });
});
