// The access guard's scripts, run for real with bash against a temp tree that stands in for the
// host's /etc and /var/lib/orbis (systemd-run, systemctl and logger are stubs that log their
// arguments): what a rollback puts back, and that confirmation and rollback exclude each other.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildArmScript,
  buildConfirmScript,
  buildGuardRollbackScript,
  guardedPaths,
  parseArmAnswer,
  parseConfirmAnswer,
  restoreCommands,
  type GuardSpec,
} from '../../../src/engine/access-guard.js';
import type { Plan } from '../../../src/engine/plan.js';

const root = mkdtempSync(join(tmpdir(), 'orbis-guard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

interface Sandbox {
  dir: string;
  etc: string;
  log: string;
  run(script: string): string;
}

function sandbox(): Sandbox {
  const dir = join(root, `s${++n}`);
  const bin = join(dir, 'bin');
  const etc = join(dir, 'etc');
  const log = join(dir, 'calls.log');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(etc, 'ssh', 'sshd_config.d'), { recursive: true });
  writeFileSync(log, '');
  for (const tool of ['systemd-run', 'systemctl', 'logger']) {
    writeFileSync(join(bin, tool), `#!/bin/bash\necho "${tool} $*" >> ${JSON.stringify(log)}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const state = join(dir, 'var-lib-orbis');
  return {
    dir,
    etc,
    log,
    // The scripts name /var/lib/orbis: point them at the sandbox.
    run: (script) =>
      execFileSync('bash', ['-c', script.split('/var/lib/orbis').join(state)], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } }).toString(),
  };
}

const planWith = (paths: string[]): Plan => ({
  changes: paths.map((path) => ({
    id: { role: 'ssh', type: 'file', name: path },
    summary: 'update',
    actions: [{ op: 'write-file', path, content: 'x', mode: '0644', owner: 'root', group: 'root', backup: true, previousSha256: null }],
  })),
  handlers: [],
  pendingFromEarlier: [],
  manifest: {},
  empty: paths.length === 0,
});

describe('the access guard on the host', () => {
  let box: Sandbox;
  let spec: GuardSpec;
  let config: string;
  let dropIn: string;

  beforeEach(() => {
    box = sandbox();
    config = join(box.etc, 'ssh', 'sshd_config');
    dropIn = join(box.etc, 'ssh', 'sshd_config.d', '01-orbis-hardening.conf');
    writeFileSync(config, 'Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n');
    spec = {
      runId: '20250101T000000-abcdef',
      deadlineSec: 20,
      paths: guardedPaths(planWith([config, dropIn])),
      afterRestore: restoreCommands([{ name: 'reload ssh', role: 'ssh', unit: 'ssh.service', action: 'reload' }]),
      what: 'the changes of role ssh',
    };
  });

  it('arms a timer of the host\'s own, with the deadline, after saving what is there', () => {
    expect(parseArmAnswer(box.run(buildArmScript(spec)))).toBeGreaterThan(1_600_000_000);
    const calls = readFileSync(box.log, 'utf8');
    expect(calls).toMatch(/^systemd-run --quiet --unit=orbis-access-guard-20250101T000000-abcdef --on-active=20s --timer-property=AccuracySec=1s /m);
  });

  it('nobody confirms: the rollback puts the old file back, removes the new one, reloads sshd', () => {
    box.run(buildArmScript(spec));
    writeFileSync(config, 'broken\n');
    writeFileSync(dropIn, 'PubkeyAuthentication no\n');
    const guard = join(box.dir, 'var-lib-orbis', 'access-guard', spec.runId);
    box.run(`bash ${guard}/rollback`);
    expect(readFileSync(config, 'utf8')).toBe('Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n');
    expect(existsSync(dropIn)).toBe(false);
    expect(readFileSync(box.log, 'utf8')).toContain('systemctl reload ssh.service');
    expect(readFileSync(box.log, 'utf8')).toMatch(/logger -t orbis -p auth.warning access guard .*the previous configuration was restored/);
    // A late confirmation learns it came too late, and changes nothing.
    expect(parseConfirmAnswer(box.run(buildConfirmScript(spec.runId)))).toMatchObject({ kind: 'rolled-back' });
    expect(existsSync(join(guard, 'confirmed'))).toBe(false);
  });

  it('confirmed in time: the timer is stopped, the saved copies dropped, and a late rollback does nothing', () => {
    box.run(buildArmScript(spec));
    writeFileSync(dropIn, 'PasswordAuthentication no\n');
    expect(parseConfirmAnswer(box.run(buildConfirmScript(spec.runId)))).toEqual({ kind: 'confirmed' });
    expect(readFileSync(box.log, 'utf8')).toContain(`systemctl stop orbis-access-guard-${spec.runId}.timer`);
    const guard = join(box.dir, 'var-lib-orbis', 'access-guard', spec.runId);
    expect(existsSync(join(guard, 'saved'))).toBe(false);
    box.run(`bash ${guard}/rollback`);
    expect(readFileSync(dropIn, 'utf8')).toBe('PasswordAuthentication no\n');
    expect(parseConfirmAnswer(box.run(buildConfirmScript('20250101T000000-000000')))).toEqual({ kind: 'gone' });
  });

  it('puts back a changed file with its mode and owner, a link, and removes what was absent', () => {
    const moduli = join(box.etc, 'ssh', 'moduli');
    const link = join(box.etc, 'ssh', 'current.conf');
    chmodSync(config, 0o640);
    writeFileSync(moduli, 'old moduli\n');
    symlinkSync('sshd_config', link);
    const guarded = { ...spec, paths: [config, dropIn, link, moduli] };
    box.run(buildArmScript(guarded));
    writeFileSync(config, 'broken\n');
    chmodSync(config, 0o600);
    writeFileSync(dropIn, 'PubkeyAuthentication no\n');
    rmSync(link);
    writeFileSync(link, 'a file now\n');
    rmSync(moduli);
    symlinkSync('/nowhere', moduli);
    const guard = join(box.dir, 'var-lib-orbis', 'access-guard', spec.runId);
    box.run(`bash ${guard}/rollback`);
    expect(readFileSync(config, 'utf8')).toBe('Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n');
    expect((statSync(config).mode & 0o777).toString(8)).toBe('640');
    expect(existsSync(dropIn)).toBe(false);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('sshd_config');
    expect(lstatSync(moduli).isFile()).toBe(true);
    expect(readFileSync(moduli, 'utf8')).toBe('old moduli\n');
    // Nothing left behind beside the paths put back.
    expect(execFileSync('ls', ['-A', join(box.etc, 'ssh')]).toString().split('\n').filter(Boolean).sort()).toEqual(['current.conf', 'moduli', 'sshd_config', 'sshd_config.d']);
  });

  it('a directory: its mode and owner come back, not its content; one that was not there is removed whole', () => {
    const dropIns = join(box.etc, 'ssh', 'sshd_config.d');
    const cloud = join(dropIns, '50-cloud-init.conf');
    const fresh = join(box.etc, 'ssh', 'orbis.d');
    chmodSync(dropIns, 0o755);
    writeFileSync(cloud, 'PasswordAuthentication yes\n');
    const guarded = { ...spec, paths: [dropIns, dropIn, fresh, join(fresh, 'a.conf')] };
    box.run(buildArmScript(guarded));
    chmodSync(dropIns, 0o700);
    writeFileSync(dropIn, 'PasswordAuthentication no\n');
    writeFileSync(cloud, 'changed meanwhile by cloud-init\n'); // not the guard's to undo
    mkdirSync(join(fresh, 'sub'), { recursive: true });
    writeFileSync(join(fresh, 'a.conf'), 'a\n');
    writeFileSync(join(fresh, 'sub', 'b.conf'), 'b\n');
    const guard = join(box.dir, 'var-lib-orbis', 'access-guard', spec.runId);
    box.run(`bash ${guard}/rollback`);
    expect((statSync(dropIns).mode & 0o777).toString(8)).toBe('755');
    expect(existsSync(dropIn)).toBe(false);
    expect(readFileSync(cloud, 'utf8')).toBe('changed meanwhile by cloud-init\n');
    expect(existsSync(fresh)).toBe(false);
  });

  it('runs every handler command after the rollback, and tells the journal which one failed', () => {
    const out = join(box.dir, 'out');
    const guarded = { ...spec, afterRestore: [`echo one >> ${out}`, 'false', `printf '%s\\n' "it's two" >> ${out}`] };
    box.run(buildArmScript(guarded));
    box.run(`bash ${join(box.dir, 'var-lib-orbis', 'access-guard', spec.runId)}/rollback`);
    expect(readFileSync(out, 'utf8')).toBe("one\nit's two\n");
    expect(readFileSync(box.log, 'utf8')).toContain('logger -t orbis -p auth.err access guard 20250101T000000-abcdef: after the rollback, `false` failed');
  });

  it('keeps a few records, not every run\'s', () => {
    for (let i = 0; i < 7; i++) box.run(buildArmScript({ ...spec, runId: `run-${i}` }));
    const left = execFileSync('ls', [join(box.dir, 'var-lib-orbis', 'access-guard')]).toString().trim().split('\n');
    expect(left.length).toBeLessThanOrEqual(5);
    expect(left).toContain('run-6');
  }, 30_000);
});

describe('what the guard covers', () => {
  it('every path the plan touches, and its handlers again after a restore', () => {
    expect(guardedPaths(planWith(['/a', '/b', '/a']))).toEqual(['/a', '/b']);
    expect(restoreCommands([
      { name: 'r', role: 'x', unit: 'ssh.service', action: 'reload' },
      { name: 'r2', role: 'y', unit: 'ssh.service', action: 'reload' },
      { name: 'c', role: 'x', command: 'echo hi' },
    ])).toEqual(['systemctl reload ssh.service || systemctl restart ssh.service', "bash -c 'echo hi'"]);
  });

  it('rollback scripts reload units when a unit file was among the paths, only then', () => {
    // A unit path that does not exist: kept as absent, "put back" by removing nothing.
    const unit = `/etc/systemd/system/orbis-guard-test-${process.pid}.service`;
    for (const [paths, reloads] of [[[unit], true], [['/etc/orbis-guard-test'], false]] as const) {
      const box = sandbox();
      const spec = { runId: 'r', deadlineSec: 5, paths, afterRestore: [], what: 'x' };
      box.run(buildArmScript(spec));
      box.run(`bash ${join(box.dir, 'var-lib-orbis', 'access-guard', 'r', 'rollback')}`);
      expect(readFileSync(box.log, 'utf8').includes('systemctl daemon-reload')).toBe(reloads);
    }
    expect(buildGuardRollbackScript({ runId: 'r', deadlineSec: 5, paths: [unit], afterRestore: [], what: 'x' })).toMatch(/^RELOAD_UNITS=1$/m);
  });
});
