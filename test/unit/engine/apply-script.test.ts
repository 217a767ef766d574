import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApplyScript, manifestLines } from '../../../src/engine/apply-script.js';
import { INSTALLED_HASH_MEASURED_ON_RECORD } from '../../../src/engine/plan.js';
import { parseEvents } from '../../../src/engine/apply.js';
import type { Plan } from '../../../src/engine/plan.js';
import type { Action, Change } from '../../../src/resources/types.js';

const change = (role: string, name: string, actions: Action[], notify?: string[]): Change => ({
  id: { role, type: 'file', name },
  summary: `change ${name}`,
  actions,
  ...(notify ? { notify } : {}),
});

const everyAction: Change[] = [
  change('r1', 'pkg', [{ op: 'apt-install', packages: ['nginx', 'ffmpeg'] }], ['restart nginx']),
  change('r1', 'grp', [{ op: 'groupadd', name: 'orbis', system: true }]),
  change('r1', 'usr', [{ op: 'useradd', name: 'orbis', system: true, home: '/var/lib/orbis-home', shell: '/usr/sbin/nologin', groups: ['video'], group: 'orbis' }]),
  change('r1', 'dir', [{ op: 'mkdir', path: '/etc/orbis', mode: '0755', owner: 'root', group: 'root' }]),
  change('r1', 'dl', [{ op: 'download', url: 'http://ingest/btfs.tar.gz', sha256: 'ab'.repeat(32), path: '/usr/local/bin/btfs', mode: '0755', owner: 'root', group: 'root', extract: 'btfs' }]),
  change('r1', "/etc/o'dd name.conf", [
    { op: 'write-file', path: "/etc/o'dd name.conf", content: 'key=s3cr3t\n', mode: '0600', owner: 'root', group: 'root', validate: 'grep -q key %s', backup: true, previousSha256: null },
  ], ['restart nginx']),
  change('r1', '/etc/systemd/system/x.service', [
    { op: 'write-file', path: '/etc/systemd/system/x.service', content: '[Service]\n', mode: '0644', owner: 'root', group: 'root', validate: 'nginx -t', backup: true, previousSha256: 'cd'.repeat(32) },
  ]),
  change('r2', 'modes', [{ op: 'chmod', path: '/etc/a', mode: '0640' }, { op: 'chown', path: '/etc/a', owner: 'root', group: 'adm' }]),
  change('r2', 'link', [{ op: 'symlink', path: '/etc/l', target: '/etc/a' }]),
  change('r2', 'groups', [{ op: 'usermod-groups', name: 'orbis', groups: ['video', 'render'] }]),
  change('r2', 'cmd', [{ op: 'command', command: 'btfs init', user: 'btfs', creates: '/var/lib/btfs/config', unless: 'test -e /x' }]),
  change('r2', 'svc', [{ op: 'daemon-reload' }, { op: 'systemctl', verb: 'enable', unit: 'x.service' }, { op: 'systemctl', verb: 'start', unit: 'x.service' }]),
  change('r2', 'stale', [{ op: 'remove', path: '/etc/nginx/sites-enabled/old' }]),
  change('r2', 'rm', [{ op: 'apt-remove', packages: ['apache2'] }]),
];

const plan: Plan = {
  changes: everyAction,
  handlers: [
    { name: 'restart nginx', role: 'r1', unit: 'nginx.service', action: 'restart' },
    { name: 'mark', role: 'r2', command: 'touch /tmp/mark' },
  ],
  pendingFromEarlier: ['mark'],
  manifest: { "/etc/o'dd name.conf": { sha256: 'ff', role: 'r1' } },
  empty: false,
};

const script = buildApplyScript(plan, { runId: '20261124-abc', holder: "ci's run", lockWaitSec: 5, record: '{"id":"x"}' });

describe('apply script', () => {
  it('is valid bash for every kind of action', () => {
    expect(() => execFileSync('bash', ['-n'], { input: script })).not.toThrow();
  });

  it('installs all packages in one apt call before anything else', () => {
    const installs = script.match(/apt-get install [^\n]*nginx ffmpeg/g) ?? [];
    expect(installs.length).toBeGreaterThan(0);
    expect(script.indexOf('step apt')).toBeLessThan(script.indexOf('step 1'));
    expect(script.match(/^step apt$/gm)).toHaveLength(1);
  });

  it('never carries file content in clear text (base64 on stdin only)', () => {
    expect(script).not.toContain('s3cr3t');
    expect(script).toContain(Buffer.from('key=s3cr3t\n').toString('base64'));
  });

  it('validates staged files before they go live, and whole roles after, restoring on failure', () => {
    expect(script).toMatch(/grep -q key "\$tmp"/);
    const validateRole = script.indexOf('step validate:r1');
    expect(validateRole).toBeGreaterThan(script.indexOf('step 6'));
    expect(validateRole).toBeLessThan(script.indexOf('step 7'));
    expect(script.slice(validateRole)).toMatch(/restore_unvalidated \/var\/lib\/orbis\/unvalidated\/r1; rm -f/);
  });

  it("notes each file of a whole-validated role on disk before it goes live, and drops the note once validated", () => {
    const step = script.slice(script.indexOf('step 6'), script.indexOf('step validate:r1'));
    const note = step.indexOf(`printf '%s\\t%s\\n' "$RUN_ID" "$f" >> /var/lib/orbis/unvalidated/r1`);
    expect(note).toBeGreaterThan(0);
    expect(note).toBeLessThan(step.indexOf('mv -f -- "$tmp" "$f"'));
    const validate = script.slice(script.indexOf('step validate:r1'), script.indexOf('step 7'));
    expect(validate).toMatch(/rm -f \/var\/lib\/orbis\/unvalidated\/r1\nok/);
    // A file of the role validated on its own (%s) is noted too: `nginx -t` failing puts it back with the rest.
    const own = script.slice(script.indexOf('step 5'), script.indexOf('step 6'));
    expect(own).toContain('>> /var/lib/orbis/unvalidated/r1');
  });

  it('validates again, before apt and anything else, what a cut run left unvalidated', () => {
    const revalidating: Plan = {
      ...plan,
      changes: [
        { id: { role: 'nginx-rtmp', type: 'validation', name: 'nginx -t' }, summary: 'validate again', actions: [{ op: 'revalidate', role: 'nginx-rtmp', commands: ['nginx -t'] }] },
        ...everyAction,
      ],
    };
    const text = buildApplyScript(revalidating, { runId: 'r', holder: 'h', lockWaitSec: 5, record: '{}' });
    expect(() => execFileSync('bash', ['-n'], { input: text })).not.toThrow();
    const step = text.indexOf('step 0');
    expect(step).toBeGreaterThan(text.indexOf('flock'));
    expect(step).toBeLessThan(text.indexOf('step apt'));
    expect(text.slice(step, text.indexOf('step apt'))).toMatch(/if ! out=\$\(nginx -t 2>&1 <\/dev\/null\); then\n {4}restore_unvalidated \/var\/lib\/orbis\/unvalidated\/nginx-rtmp/);
  });

  it('puts back the files a list of unvalidated writes names, each from the backup its own run took', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-restore-'));
    const lib = script.slice(script.indexOf('set -uo pipefail'), script.indexOf('UNITS_DIRTY=0'));
    const restoreFn = script.slice(script.indexOf('restore_unvalidated() {'), script.indexOf('\n}\n', script.indexOf('restore_unvalidated() {')) + 3);
    const [kept, created] = [join(dir, 'kept.conf'), join(dir, 'created.conf')];
    const enc = (path: string): string => path.replace(/%/g, '%25').replace(/\//g, '%2F');
    writeFileSync(kept, 'new\n');
    writeFileSync(created, 'new\n');
    const run = join(dir, 'backup', 'run-a');
    execFileSync('mkdir', ['-p', join(run, 'content'), join(run, 'meta'), join(run, 'absent'), join(dir, 'run')]);
    writeFileSync(join(run, 'content', enc(kept)), 'old\n');
    writeFileSync(join(run, 'meta', enc(kept)), `640 ${process.getuid?.() ?? 0} ${process.getgid?.() ?? 0}\n`);
    writeFileSync(join(run, 'absent', enc(created)), '');
    writeFileSync(join(dir, 'list'), `run-a\t${kept}\nrun-a\t${created}\n`);
    const body = [lib.replace('rm -f "$0"', ':'), restoreFn, `BACKUP_DIR=${dir}/backup; RUN_ID=run-b`, `restore_unvalidated ${dir}/list`].join('\n');
    execFileSync('bash', ['-c', body, 'apply.sh', join(dir, 'run')]);
    expect(readFileSync(kept, 'utf8')).toBe('old\n');
    expect((statSync(kept).mode & 0o777).toString(8)).toBe('640');
    expect(existsSync(created)).toBe(false);
  });

  it('records notified handlers as pending before the change is made, and clears each once run', () => {
    const afterFile = script.indexOf("step 5");
    const pendingWrite = script.indexOf("restart nginx' >> /var/lib/orbis/pending-handlers", afterFile);
    expect(pendingWrite).toBeGreaterThan(afterFile);
    expect(pendingWrite).toBeLessThan(script.indexOf('mv -f -- "$tmp" "$f"', afterFile));
    expect(script).toMatch(/grep -vxF -- 'restart nginx'/);
    expect(script).toMatch(/grep -vxF -- mark/);
  });

  it('lets a file new at plan time replace what a package of the same run shipped (nginx.conf)', () => {
    const newFile = (previousSha256: string | null): Action => ({ op: 'write-file', path: '/etc/nginx/nginx.conf', content: 'x\n', mode: '0644', owner: 'root', group: 'root', backup: true, previousSha256 });
    const drift = /changed on the host since the plan was made/;
    const build = (changes: Change[]): string => buildApplyScript({ ...plan, changes, handlers: [], pendingFromEarlier: [] }, { runId: 'r', holder: 'h', lockWaitSec: 5, record: '{}' });
    const withApt = build([change('r', 'pkg', [{ op: 'apt-install', packages: ['nginx'] }]), change('r', 'conf', [newFile(null)])]);
    expect(withApt).not.toMatch(drift);
    expect(withApt).toContain('backup "$f"');
    // Without packages in the run, or for a file that existed, the drift guard stays.
    expect(build([change('r', 'conf', [newFile(null)])])).toMatch(drift);
    expect(build([change('r', 'pkg', [{ op: 'apt-install', packages: ['nginx'] }]), change('r', 'conf', [newFile('ab'.repeat(32))])])).toMatch(drift);
  });

  it('clears a unit that gave up (start limit) before starting or restarting it, not before stopping it', () => {
    expect(script).toMatch(/systemctl reset-failed x\.service >\/dev\/null 2>&1 \|\| true\ndefer_start x\.service \|\| try systemctl start x\.service/);
    expect(script).toMatch(/systemctl reset-failed nginx\.service >\/dev\/null 2>&1 \|\| true\ntry systemctl restart nginx\.service/);
    expect(script).not.toMatch(/reset-failed x\.service[^\n]*\ntry systemctl enable/);
  });

  it('checks the download checksum and re-checks command guards', () => {
    expect(script).toContain(`= ${'ab'.repeat(32)} ]`);
    expect(script).toMatch(/if \[ ! -e \/var\/lib\/btfs\/config \] && ! \( test -e \/x \)/);
  });

  it('takes the host lock before changing anything, then records the run as running', () => {
    expect(script.indexOf('flock -w 5 9')).toBeLessThan(script.indexOf('begin_run 1'));
    expect(script.indexOf('begin_run 1')).toBeLessThan(script.indexOf('step apt'));
  });

  it('keeps, before changing it, every file and unit state the run touches', () => {
    const before = (kept: string, change: string, action: string): void => {
      const start = script.indexOf(`step ${change}\n`);
      expect(start).toBeGreaterThan(0);
      expect(script.indexOf(kept, start)).toBeGreaterThan(start);
      expect(script.indexOf(kept, start)).toBeLessThan(script.indexOf(action, start));
    };
    before('backup "$f"', '5', 'mv -f -- "$tmp" "$f"'); // a new file: recorded as absent
    before('backup /etc/a', '7', 'try chmod'); // chmod / chown only
    before('backup /etc/nginx/sites-enabled/old', '12', 'try rm -rf'); // a stale file removed
    before('backup /usr/local/bin/btfs', '4', 'mv -f -- /usr/local/bin/.orbis-tmp.btfs'); // a download
    before('unit_snapshot x.service', '11', 'try systemctl enable'); // enable + start
    expect(script.indexOf('record applied')).toBeGreaterThan(script.indexOf('step handlers'));
  });

  it('a run that touches no file or unit keeps no backups', () => {
    const quiet = buildApplyScript({ ...plan, changes: [change('r', 'u', [{ op: 'useradd', name: 'x', system: true }])], handlers: [], pendingFromEarlier: [] }, { runId: 'r', holder: 'h', lockWaitSec: 5, record: '{}' });
    expect(quiet).toContain('begin_run 0');
  });
});

describe('apply events', () => {
  it('reads progress, failures, handlers and a lock holder', () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const events = parseEvents(['BEGIN\tapt', 'OK\tapt', 'BEGIN\t3', `FAIL\t3\t${b64('nginx: [emerg] bad\n')}`, `HANDLER\t${b64('restart nginx')}`, `LOCKED\t${b64('orbis run X\n')}`].join('\n'));
    expect(events.begun).toEqual(['apt', '3']);
    expect(events.finished).toEqual(['apt']);
    expect(events.failed).toEqual({ step: '3', message: 'nginx: [emerg] bad' });
    expect(events.handlersRun).toEqual(['restart nginx']);
    expect(events.lockedBy).toBe('orbis run X');
    expect(events.done).toBe(false);
    expect(events.stepMs).toEqual({});
  });

  it('times the steps that report when they began and ended (bash >= 5)', () => {
    const events = parseEvents(['BEGIN\tapt\t1700000000.250000', 'OK\tapt\t1700000012.750400', 'BEGIN\t0\t', 'OK\t0\t', 'BEGIN\thandlers\t1700000013.000000', 'OK\thandlers\t1700000013.400000', 'DONE'].join('\n'));
    expect(events.stepMs).toEqual({ apt: 12500, handlers: 400 });
    expect(events.finished).toEqual(['apt', '0', 'handlers']);
  });

  it("records the manifest with each extracted file's sha256 measured on the host", () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-manifest-'));
    const binary = join(dir, "bt'fs");
    writeFileSync(binary, 'hello\n');
    const manifestPath = join(dir, 'manifest.json');
    const lines = manifestLines(
      { [binary]: { sha256: 'ab'.repeat(32), role: 'btfs', installed: INSTALLED_HASH_MEASURED_ON_RECORD }, '/etc/a': { sha256: 'ff', role: 'r1' } },
      manifestPath,
    );
    execFileSync('bash', ['-c', ['fail() { echo "$1" >&2; exit 1; }', ...lines].join('\n')]);
    const written = JSON.parse(readFileSync(manifestPath, 'utf8')) as unknown;
    expect(written).toEqual({
      version: 2,
      files: {
        [binary]: { sha256: 'ab'.repeat(32), role: 'btfs', installed: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' },
        '/etc/a': { sha256: 'ff', role: 'r1' },
      },
    });
  });
});
