// src/pi/history.sh run for real by bash against a temp state directory (the script's inputs name
// /var/lib/orbis: moved into the sandbox) with a fake systemctl: what a run's backups hold and how
// those paths and units are now, read back by parseHistory; and the script as sent passes shellcheck.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHistoryScript, parseHistory } from '../../../src/engine/history.js';
import { encodePath } from '../../../src/engine/script-lib.js';
import { shellcheckPiFile, shellcheckSent } from './shellcheck.js';

const tmp = mkdtempSync(join(tmpdir(), 'orbis-history-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

// UnitFileState and ActiveState of the units the sandbox knows; nothing for another (no such unit).
const FAKE_SYSTEMCTL = `#!/bin/bash
case "$3 $6" in
  'UnitFileState nginx.service') echo enabled ;;
  'ActiveState nginx.service') echo active ;;
  'UnitFileState ffmpeg.service') echo disabled ;;
  'ActiveState ffmpeg.service') echo inactive ;;
  *) echo ;;
esac
`;

function put(path: string, content: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}

describe('history.sh', () => {
  it('reads back every backup entry, the states now, the records, manifest and pending handlers', () => {
    const state = join(tmp, 'state');
    const root = join(tmp, 'root');
    const bin = join(tmp, 'bin');
    mkdirSync(root, { recursive: true });
    put(join(bin, 'systemctl'), FAKE_SYSTEMCTL);
    chmodSync(join(bin, 'systemctl'), 0o755);
    const kept = join(root, 'kept.conf');
    const gone = join(root, 'gone%odd.conf');
    const link = join(root, 'link');
    const dropped = join(root, 'key.conf');
    const backup = join(state, 'backup', '20260101T000001-aaaaaa');
    put(join(backup, 'seq'), '7\n');
    put(join(backup, 'content', encodePath(kept)), 'before\n');
    put(join(backup, 'meta', encodePath(kept)), '640 0 0');
    put(join(backup, 'absent', encodePath(gone)), '');
    put(join(backup, 'link', encodePath(link)), '/etc/target with space');
    put(join(backup, 'dropped', encodePath(dropped)), '');
    put(join(backup, 'units', 'nginx.service'), 'disabled inactive');
    put(join(backup, 'units', 'ffmpeg.service'), '- -');
    // No seq: not a backup (a run cut before it began).
    put(join(state, 'backup', '20260101T000002-bbbbbb', 'content', encodePath(kept)), 'x\n');
    // Now: kept changed, gone is a file, link is a directory, dropped is absent.
    writeFileSync(kept, 'after\n');
    chmodSync(kept, 0o600);
    writeFileSync(gone, 'new\n');
    mkdirSync(link);
    put(join(state, 'runs', '20260101T000001-aaaaaa.json'), 'not a record');
    put(join(state, 'manifest.json'), JSON.stringify({ files: { [kept]: { sha256: sha('after\n'), role: 'web' } } }));
    put(join(state, 'pending-handlers'), 'reload nginx\n\nrestart ffmpeg\n');
    symlinkSync('elsewhere', join(root, 'unrelated-link'));

    const script = buildHistoryScript().split('/var/lib/orbis').join(state);
    const out = execFileSync('bash', ['-s'], { input: script, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    const history = parseHistory(out);

    expect(history.fingerprint).toBe(sha('not a record'));
    expect(history.unreadable).toBe(1);
    expect(history.records).toEqual([]);
    expect(history.manifest).toEqual({ [kept]: { sha256: sha('after\n'), role: 'web' } });
    expect(history.pendingHandlers).toEqual(['reload nginx', 'restart ffmpeg']);
    expect([...history.backups.keys()]).toEqual(['20260101T000001-aaaaaa']);
    const b = history.backups.get('20260101T000001-aaaaaa');
    expect(b?.seq).toBe(7);
    expect(b?.files).toEqual(
      new Map([
        [kept, { kind: 'file', sha256: sha('before\n'), mode: '0640', uid: 0, gid: 0 }],
        [gone, { kind: 'absent' }],
        [link, { kind: 'link', target: '/etc/target with space' }],
        [dropped, { kind: 'dropped' }],
      ]),
    );
    expect(b?.units).toEqual(
      new Map([
        ['ffmpeg.service', { enabled: '', active: '' }],
        ['nginx.service', { enabled: 'disabled', active: 'inactive' }],
      ]),
    );
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    expect(history.filesNow).toEqual(
      new Map([
        [dropped, { kind: 'absent' }],
        [gone, { kind: 'file', sha256: sha('new\n'), mode: '0644', uid, gid }],
        [kept, { kind: 'file', sha256: sha('after\n'), mode: '0600', uid, gid }],
        [link, { kind: 'other' }],
      ]),
    );
    expect(history.unitsNow).toEqual(
      new Map([
        ['ffmpeg.service', { enabled: 'disabled', active: 'inactive' }],
        ['nginx.service', { enabled: 'enabled', active: 'active' }],
      ]),
    );
  });

  it('on a host orbis never ran on: an empty history, complete', () => {
    const script = buildHistoryScript().split('/var/lib/orbis').join(join(tmp, 'none'));
    const history = parseHistory(execFileSync('bash', ['-s'], { input: script, encoding: 'utf8' }));
    expect(history.records).toEqual([]);
    expect(history.backups.size).toBe(0);
    expect(history.fingerprint).toBe(sha(''));
  });

  it('is shellcheck-clean, as a file and as sent', () => {
    expect(shellcheckPiFile('history.sh')).toBe('');
    expect(shellcheckSent(buildHistoryScript())).toBe('');
  });
});
