import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApplyScript, manifestLines } from '../../../src/engine/apply-script.js';
import { piFile } from '../../../src/pi/scripts.js';
import { INSTALLED_HASH_MEASURED_ON_RECORD } from '../../../src/engine/plan.js';
import { parseEvents } from '../../../src/engine/apply.js';
import type { Plan } from '../../../src/engine/plan.js';
import type { Action, Change } from '../../../src/resources/types.js';

/** A function's text in a Pi-side file, from its `name() {` line to its closing brace. */
function functionOf(file: string, name: string): string {
  const start = file.indexOf(`\n${name}() {`);
  if (start < 0) throw new Error(`no function ${name}`);
  const oneLine = file.indexOf('\n', start + 1);
  if (file.slice(start, oneLine).trimEnd().endsWith('}')) return file.slice(start + 1, oneLine);
  return file.slice(start + 1, file.indexOf('\n}\n', start) + 2);
}

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
    expect(script).toMatch(/^APT_INSTALL=\(nginx ffmpeg\)$/m);
    expect(script).toMatch(/^APT_REMOVE=\(apache2\)$/m);
    expect(script.indexOf('\napt_step\n')).toBeGreaterThan(0);
    expect(script.indexOf('\napt_step\n')).toBeLessThan(script.indexOf('\nstep 1\n'));
    expect(script.match(/^apt_step$/gm)).toHaveLength(1);
  });

  it('never carries file content in clear text (base64 on stdin only)', () => {
    expect(script).not.toContain('s3cr3t');
    expect(script).toContain(Buffer.from('key=s3cr3t\n').toString('base64'));
  });

  it('validates staged files before they go live, and whole roles after, restoring on failure', () => {
    // write_file's 7th argument: the command run on the staged file (apply-sandbox tests run it).
    // Absent at plan time, in a run that installs packages: a package may have shipped it ('*').
    expect(script).toContain("write_file '/etc/o'\\''dd name.conf' 0600 root root '*' ");
    expect(script).toMatch(/^write_file '\/etc\/o'\\''dd name\.conf' .* 'grep -q key %s' \/var\/lib\/orbis\/unvalidated\/r1 <<'ORBIS_CONTENT_END'$/m);
    const validateRole = script.indexOf('step validate:r1');
    expect(validateRole).toBeGreaterThan(script.indexOf('step 6'));
    expect(validateRole).toBeLessThan(script.indexOf('step 7'));
    expect(script.slice(validateRole)).toMatch(/^step validate:r1\nvalidate_role r1 'nginx -t'\nok$/m);
  });

  it("notes each file of a whole-validated role on disk before it goes live, and drops the note once validated", () => {
    // The list is write_file's last argument for every file of a role validated as a whole, one
    // validated on its own (%s) too: `nginx -t` failing puts it back with the rest.
    const own = script.slice(script.indexOf('step 5'), script.indexOf('step 6'));
    expect(own).toMatch(/^write_file .* \/var\/lib\/orbis\/unvalidated\/r1 <<'ORBIS_CONTENT_END'$/m);
    const other = script.slice(script.indexOf('step 7'), script.indexOf('step 8'));
    expect(other).not.toContain('unvalidated');
    // write_file notes the file before it goes live; validate_role drops the note once validated.
    const writeFile = functionOf(piFile('apply.sh'), 'write_file');
    expect(writeFile.indexOf('>> "$8"')).toBeGreaterThan(0);
    expect(writeFile.indexOf('>> "$8"')).toBeLessThan(writeFile.indexOf('mv -f -- "$tmp" "$f"'));
    expect(functionOf(piFile("apply.sh"), "validate_listed")).toMatch(/done\n {2}rm -f "\$list"\n}$/);
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
    expect(step).toBeLessThan(text.indexOf('\napt_step\n'));
    expect(text.slice(step, text.indexOf('\napt_step\n'))).toMatch(/^step 0\nrevalidate nginx-rtmp 'nginx -t'\nok\n/);
  });

  it('puts back the files a list of unvalidated writes names, each from the backup its own run took', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbis-restore-'));
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
    // The real functions (common.sh, backups.sh, apply.sh), without run.sh's start (its lock).
    const body = [piFile('common.sh'), piFile('backups.sh'), 'fail() { echo "$1" >&2; exit 1; }', piFile('apply.sh'), `BACKUP_DIR=${dir}/backup; RUN_ID=run-b`, `restore_unvalidated ${dir}/list`].join('\n');
    execFileSync('bash', ['-c', body, 'apply.sh', join(dir, 'run')]);
    expect(readFileSync(kept, 'utf8')).toBe('old\n');
    expect((statSync(kept).mode & 0o777).toString(8)).toBe('640');
    expect(existsSync(created)).toBe(false);
  });

  it('records notified handlers as pending before the change is made, and clears each once run', () => {
    const afterFile = script.indexOf('\nstep 5\n');
    const pendingWrite = script.indexOf("\nnotified 5 'restart nginx'\n", afterFile);
    expect(pendingWrite).toBe(afterFile + 'step 5\n'.length);
    expect(pendingWrite).toBeLessThan(script.indexOf('\nwrite_file ', afterFile));
    expect(functionOf(piFile('apply.sh'), 'notified')).toContain('pend "$@"');
    expect(script).toMatch(/^handler_ran 'restart nginx'$/m);
    expect(script).toMatch(/^handler_ran mark$/m);
  });

  it('lets a file new at plan time replace what a package of the same run shipped (nginx.conf)', () => {
    const newFile = (previousSha256: string | null): Action => ({ op: 'write-file', path: '/etc/nginx/nginx.conf', content: 'x\n', mode: '0644', owner: 'root', group: 'root', backup: true, previousSha256 });
    const drift = /^write_file \/etc\/nginx\/nginx\.conf 0644 root root (absent|[0-9a-f]{64}) /m;
    const build = (changes: Change[]): string => buildApplyScript({ ...plan, changes, handlers: [], pendingFromEarlier: [] }, { runId: 'r', holder: 'h', lockWaitSec: 5, record: '{}' });
    const withApt = build([change('r', 'pkg', [{ op: 'apt-install', packages: ['nginx'] }]), change('r', 'conf', [newFile(null)])]);
    expect(withApt).not.toMatch(drift);
    expect(withApt).toMatch(/^write_file \/etc\/nginx\/nginx\.conf 0644 root root '\*' /m);
    // Without packages in the run, or for a file that existed, the drift guard stays.
    expect(build([change('r', 'conf', [newFile(null)])])).toMatch(drift);
    expect(build([change('r', 'pkg', [{ op: 'apt-install', packages: ['nginx'] }]), change('r', 'conf', [newFile('ab'.repeat(32))])])).toMatch(drift);
  });

  it('passes each unit verb with its step, and whether the state is kept first', () => {
    // apply.sh's unit_action clears a unit that gave up before a start or restart (handlers-sandbox tests it).
    expect(script).toMatch(/^unit_action enable x\.service 11 1$/m);
    expect(script).toMatch(/^unit_action start x\.service 11 1$/m);
    expect(script).toMatch(/^restart_handler 'restart nginx' nginx\.service$/m);
  });

  it('checks the download checksum and re-checks command guards', () => {
    expect(script).toContain(`\ndownload http://ingest/btfs.tar.gz ${'ab'.repeat(32)} btfs /usr/local/bin/btfs 0755 root root\n`);
    expect(script).toContain("\nrun_command btfs /var/lib/btfs/config 'test -e /x' 'btfs init'\n");
  });

  it('takes the host lock before changing anything, then records the run as running', () => {
    expect(script).toMatch(/^LOCK_WAIT_SEC=5$/m);
    const lock = script.indexOf('if ! flock -w "$LOCK_WAIT_SEC" 9; then');
    expect(lock).toBeGreaterThan(0);
    expect(lock).toBeLessThan(script.indexOf('\nbegin_run 1\n'));
    expect(script.indexOf('\nbegin_run 1\n')).toBeLessThan(script.indexOf('\napt_step\n'));
  });

  it('keeps, before changing it, every file and unit state the run touches', () => {
    const before = (kept: string, change: string, action: string): void => {
      const start = script.indexOf(`step ${change}\n`);
      expect(start).toBeGreaterThan(0);
      expect(script.indexOf(kept, start)).toBeGreaterThan(start);
      expect(script.indexOf(kept, start)).toBeLessThan(script.indexOf(action, start));
    };
    before('backup /etc/a', '7', 'try chmod'); // chmod / chown only
    // write_file, remove_path and download keep the path before they replace it; unit_action
    // keeps the unit's state when its last argument says so (enable, start).
    const apply = piFile('apply.sh');
    const keptFirst = (fn: string, kept: string, change: string): void => {
      const body = functionOf(apply, fn);
      expect(body.indexOf(kept), fn).toBeGreaterThan(0);
      expect(body.indexOf(kept), fn).toBeLessThan(body.indexOf(change));
    };
    keptFirst('write_file', 'backup "$f"', 'mv -f -- "$tmp" "$f"');
    keptFirst('remove_path', 'backup "$1"', 'rm -rf');
    keptFirst('download', 'backup "$path"', 'mv -f -- "$tmp" "$path"');
    keptFirst('unit_action', 'unit_snapshot "$2"', 'try systemctl');
    expect(script.indexOf('\nend_run\n')).toBeGreaterThan(script.indexOf('step handlers'));
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
    const lines = manifestLines({ [binary]: { sha256: 'ab'.repeat(32), role: 'btfs', installed: INSTALLED_HASH_MEASURED_ON_RECORD }, '/etc/a': { sha256: 'ff', role: 'r1' } });
    execFileSync('bash', ['-c', ['fail() { echo "$1" >&2; exit 1; }', functionOf(piFile('run.sh'), 'write_manifest'), `MANIFEST='${manifestPath}'`, ...lines].join('\n')]);
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
