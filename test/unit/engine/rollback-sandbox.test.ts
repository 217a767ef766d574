// The real apply and rollback scripts, run by bash on this machine against a temporary tree (the
// state directory /var/lib/orbis moved into it; command handlers instead of systemctl): two runs,
// then the history read back, planned and rolled back, checked byte for byte.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApplyScript } from '../../../src/engine/apply-script.js';
import type { ApplyEvents } from '../../../src/engine/apply.js';
import { buildHistoryScript, parseHistory, type HostHistory } from '../../../src/engine/history.js';
import type { Plan } from '../../../src/engine/plan.js';
import { planRollback, RollbackError } from '../../../src/engine/rollback-plan.js';
import { buildRollbackScript } from '../../../src/engine/rollback-script.js';
import { applyRecord } from '../../../src/engine/run-record.js';
import type { Action, Change } from '../../../src/resources/types.js';
import type { HostFacts } from '../../../src/facts/types.js';
import type { DesiredState } from '../../../src/roles/desired.js';
import { createHash } from 'node:crypto';
import { runInState } from './apply-sandbox.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

let tmp: string;
let state: string;
let root: string;
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;

/** Scripts name /var/lib/orbis; here it is a directory of the test's own. */
const relocate = (script: string): string => script.split('/var/lib/orbis').join(state);

const runScript = (id: string, script: string): ApplyEvents & { code: number } => runInState(state, id, script);

function readHistoryHere(): HostHistory {
  return parseHistory(execFileSync('bash', ['-s'], { input: relocate(buildHistoryScript()), encoding: 'utf8' }));
}

const p = (name: string): string => join(root, name);
const write = (path: string, content: string, mode: string, validate?: string, backup = true): Action => ({
  op: 'write-file',
  path,
  content,
  mode,
  owner: String(uid),
  group: String(gid),
  backup,
  previousSha256: existsSync(path) ? sha(readFileSync(path, 'utf8')) : null,
  ...(validate ? { validate } : {}),
});
const change = (role: string, path: string, actions: Action[], notify: string[] = []): Change => ({ id: { role, type: 'file', name: path }, summary: `change ${path}`, actions, notify });

function facts(manifest: Record<string, string>): HostFacts {
  return {
    os: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian' },
    arch: 'amd64', kernel: '', hostname: 'sandbox', piModel: null,
    packages: {}, units: {}, paths: {}, users: {}, groups: {}, guards: {}, encoders: [], hasV4l2Encoder: false,
    manifest, manifestRoles: Object.fromEntries(Object.keys(manifest).map((k) => [k, 'web'])), pendingHandlers: [], root: true,
  };
}

const handlers = [{ name: 'reload web', role: 'web', command: `echo reloaded >> ${'__ROOT__'}/handler.log` }];

/** Apply `changes` as run `id`, as the engine would: record, script, run. */
function apply(id: string, changes: Change[], manifest: Record<string, string>, before: Record<string, string>): ApplyEvents & { code: number } {
  const hs = handlers.map((h) => ({ ...h, command: h.command.replace('__ROOT__', root) }));
  const plan: Plan = {
    changes,
    handlers: changes.some((c) => (c.notify ?? []).length > 0) ? hs : [],
    pendingFromEarlier: [],
    manifest: Object.fromEntries(Object.entries(manifest).map(([k, v]) => [k, { sha256: v, role: 'web' }])),
    empty: false,
  };
  const desired: DesiredState = { roles: ['web'], resources: [], handlers: hs, verify: [], secretValues: [] };
  const record = JSON.stringify(applyRecord({ id, time: new Date().toISOString(), controller: 'test@sandbox', orbisVersion: '0.0.0', plan, desired, facts: facts(before) }));
  return runScript(id, buildApplyScript(plan, { runId: id, holder: 'sandbox', lockWaitSec: 5, record }));
}

const rollbackRecord = (id: string): string => JSON.stringify({ format: 2, kind: 'rollback', id, orbis: '0.0.0', time: new Date().toISOString(), controller: 'test@sandbox' });

function rollback(id: string, request = {}): ApplyEvents & { code: number } {
  const history = readHistoryHere();
  const plan = planRollback(history, request);
  if (!plan) throw new Error('nothing to roll back');
  const record = rollbackRecord(id);
  return runScript(id, buildRollbackScript(plan, { runId: id, holder: 'sandbox', lockWaitSec: 5, record, fingerprint: history.fingerprint }));
}

const modeOf = (path: string): string => (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');

describe('apply then rollback, for real in a temporary tree', () => {
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'orbis-rollback-sandbox-'));
    state = join(tmp, 'state');
    root = join(tmp, 'root');
    mkdirSync(root);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('run 1 creates the files; run 2 changes, creates and removes; each keeps what it replaced, root only', () => {
    const first = apply('20260101T000001-aaaaaa', [
      change('web', p('a.conf'), [write(p('a.conf'), 'A=1\n', '0644', 'grep -q A= %s')], ['reload web']),
      change('web', p('key.conf'), [write(p('key.conf'), 'key=s3cr3t-one\n', '0640')]),
      change('web', p('old.conf'), [write(p('old.conf'), 'old\n', '0644')]),
    ], { [p('a.conf')]: sha('A=1\n'), [p('key.conf')]: sha('key=s3cr3t-one\n'), [p('old.conf')]: sha('old\n') }, {});
    expect(first.code, JSON.stringify(first)).toBe(0);
    expect(first.done).toBe(true);

    const m1 = { [p('a.conf')]: sha('A=1\n'), [p('key.conf')]: sha('key=s3cr3t-one\n'), [p('old.conf')]: sha('old\n') };
    const second = apply('20260101T000002-bbbbbb', [
      change('web', p('a.conf'), [write(p('a.conf'), 'A=2\n', '0600', 'grep -q A= %s')], ['reload web']),
      change('web', p('key.conf'), [write(p('key.conf'), 'key=s3cr3t-two\n', '0640')]),
      change('web', p('new.conf'), [write(p('new.conf'), 'new\n', '0644')]),
      change('web', p('old.conf'), [{ op: 'remove', path: p('old.conf') }]),
    ], { [p('a.conf')]: sha('A=2\n'), [p('key.conf')]: sha('key=s3cr3t-two\n'), [p('new.conf')]: sha('new\n') }, m1);
    expect(second.code, JSON.stringify(second)).toBe(0);
    expect(readFileSync(p('a.conf'), 'utf8')).toBe('A=2\n');
    expect(existsSync(p('old.conf'))).toBe(false);

    const backup = join(state, 'backup', '20260101T000002-bbbbbb');
    const kept = join(backup, 'content', p('key.conf').replace(/\//g, '%2F'));
    expect(readFileSync(kept, 'utf8')).toBe('key=s3cr3t-one\n');
    expect(modeOf(kept)).toBe('0600');
    expect(modeOf(join(backup, 'content'))).toBe('0700');
    expect(readFileSync(join(backup, 'meta', p('key.conf').replace(/\//g, '%2F')), 'utf8').trim()).toBe(`640 ${uid} ${gid}`);
    expect(readdirSync(join(backup, 'absent'))).toEqual([p('new.conf').replace(/\//g, '%2F')]);
  });

  it('the history read back names both runs, what the second replaced, and how the files are now', () => {
    const history = readHistoryHere();
    expect(history.records.map((r) => [r.id, r.seq, r.status])).toEqual([
      ['20260101T000001-aaaaaa', 1, 'applied'],
      ['20260101T000002-bbbbbb', 2, 'applied'],
    ]);
    const second = history.backups.get('20260101T000002-bbbbbb');
    expect(second?.files.get(p('a.conf'))).toEqual({ kind: 'file', sha256: sha('A=1\n'), mode: '0644', uid, gid });
    expect(second?.files.get(p('new.conf'))).toEqual({ kind: 'absent' });
    expect(history.filesNow.get(p('a.conf'))).toEqual({ kind: 'file', sha256: sha('A=2\n'), mode: '0600', uid, gid });
    expect(history.filesNow.get(p('old.conf'))).toEqual({ kind: 'absent' });
  });

  it('a rollback whose validation fails changes nothing, and says so', () => {
    const before = readFileSync(p('a.conf'), 'utf8');
    // The kept a.conf (A=1) fails a validation that refuses it: nothing goes live.
    const history = readHistoryHere();
    const plan = planRollback(history, {});
    if (!plan) throw new Error('no plan');
    const refused = { ...plan, files: plan.files.map((f) => (f.path === p('a.conf') ? { ...f, validate: 'grep -q A=2 %s' } : f)) };
    const record = rollbackRecord('20260101T000003-cccccc');
    const events = runScript('20260101T000003-cccccc', buildRollbackScript(refused, { runId: '20260101T000003-cccccc', holder: 'sandbox', lockWaitSec: 5, record, fingerprint: history.fingerprint }));
    expect(events.code).toBe(1);
    expect(events.failed?.message).toMatch(/validation failed .* every file was left as it was before the rollback/);
    expect(readFileSync(p('a.conf'), 'utf8')).toBe(before);
    expect(readFileSync(p('key.conf'), 'utf8')).toBe('key=s3cr3t-two\n');
    expect(existsSync(p('new.conf'))).toBe(true);
    expect(readHistoryHere().records.find((r) => r.id === '20260101T000002-bbbbbb')?.status).toBe('applied');
  });

  it('rolls back to run 1: contents, modes, the removed file back, the new one gone, handler run, manifest and records', () => {
    writeFileSync(p('handler.log'), '');
    const events = rollback('20260101T000004-dddddd');
    expect(events.code, JSON.stringify(events)).toBe(0);
    expect(events.handlersRun).toEqual(['reload web']);
    expect(readFileSync(p('handler.log'), 'utf8')).toBe('reloaded\n');
    expect(readFileSync(p('a.conf'), 'utf8')).toBe('A=1\n');
    expect(modeOf(p('a.conf'))).toBe('0644');
    expect(readFileSync(p('key.conf'), 'utf8')).toBe('key=s3cr3t-one\n');
    expect(modeOf(p('key.conf'))).toBe('0640');
    expect(readFileSync(p('old.conf'), 'utf8')).toBe('old\n');
    expect(existsSync(p('new.conf'))).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('orbis-tmp'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(state, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
    expect(Object.keys(manifest.files).sort()).toEqual([p('a.conf'), p('key.conf'), p('old.conf')]);
    const history = readHistoryHere();
    expect(history.records.map((r) => [r.id, r.kind, r.status, r.rolledBackBy ?? ''])).toEqual([
      ['20260101T000001-aaaaaa', 'apply', 'applied', ''],
      ['20260101T000002-bbbbbb', 'apply', 'rolled-back', '20260101T000004-dddddd'],
      ['20260101T000003-cccccc', 'rollback', 'failed', ''],
      ['20260101T000004-dddddd', 'rollback', 'applied', ''],
    ]);
    expect(existsSync(join(state, 'backup', '20260101T000002-bbbbbb'))).toBe(false);
  });

  it('a second rollback finds no previous generation and changes nothing', () => {
    expect(() => planRollback(readHistoryHere(), {})).toThrow(RollbackError);
    expect(() => planRollback(readHistoryHere(), {})).toThrow(/no previous generation/);
  });

  it('a stale plan (the records changed since it was made) is refused under the lock', () => {
    const history = readHistoryHere();
    apply('20260101T000005-eeeeee', [change('web', p('a.conf'), [write(p('a.conf'), 'A=5\n', '0644')])], { [p('a.conf')]: sha('A=5\n') }, {});
    const plan = planRollback(history, { to: '20260101T000001-aaaaaa' });
    expect(plan).toBeNull(); // planned from the old history: the host was on run 1
    const fresh = planRollback(readHistoryHere(), {});
    if (!fresh) throw new Error('no plan');
    const events = runScript('20260101T000006-ffffff', buildRollbackScript(fresh, { runId: '20260101T000006-ffffff', holder: 's', lockWaitSec: 5, record: '{"format":2}', fingerprint: history.fingerprint }));
    expect(events.code).toBe(1);
    expect(events.failed?.step).toBe('guard');
    expect(readFileSync(p('a.conf'), 'utf8')).toBe('A=5\n');
  });

  it('keeps the backups of the newest runs only', () => {
    for (let i = 0; i < 7; i++) {
      const id = `20260102T00000${i}-aaaaaa`;
      const current = readFileSync(p('a.conf'), 'utf8');
      apply(id, [change('web', p('a.conf'), [write(p('a.conf'), `A=${i}${current}`, '0644')])], {}, {});
    }
    const dirs = readdirSync(join(state, 'backup')).sort();
    expect(dirs).toEqual(['20260102T000002-aaaaaa', '20260102T000003-aaaaaa', '20260102T000004-aaaaaa', '20260102T000005-aaaaaa', '20260102T000006-aaaaaa']);
  });
});
