import { describe, expect, it } from 'vitest';
import type { FileState, HostHistory, RunBackup, UnitState } from '../../../src/engine/history.js';
import { generations, planRollback, rollbackChanges, RollbackError, unitCommands } from '../../../src/engine/rollback-plan.js';
import type { RunRecord } from '../../../src/engine/run-record.js';

const file = (sha256: string, mode = '0644'): FileState => ({ kind: 'file', sha256, mode, uid: 0, gid: 0 });

function run(seq: number, status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    format: 2,
    kind: 'apply',
    seq,
    status,
    id: `2026010${seq}T000000-00000${seq}`,
    orbis: '0.1.0',
    time: `2026-01-0${seq}T00:00:00.000Z`,
    controller: 'me@laptop',
    roles: ['nginx-rtmp'],
    changes: [],
    handlers: [],
    handlerDefs: [
      { name: 'restart nginx', unit: 'nginx.service', action: 'restart' },
      { name: 'restart stunnel kick', unit: 'stunnel@kick.service', action: 'restart' },
    ],
    files: [],
    units: [],
    manifestBefore: {},
    ...extra,
  };
}

const id = (seq: number): string => `2026010${seq}T000000-00000${seq}`;

function backup(seq: number, files: Record<string, FileState>, units: Record<string, UnitState> = {}): [string, RunBackup] {
  return [id(seq), { seq, files: new Map(Object.entries(files)), units: new Map(Object.entries(units)) }];
}

function history(records: RunRecord[], backups: Array<[string, RunBackup]>, now: Record<string, FileState> = {}, extra: Partial<HostHistory> = {}): HostHistory {
  return {
    records,
    unreadable: 0,
    backups: new Map(backups),
    filesNow: new Map(Object.entries(now)),
    unitsNow: new Map(),
    manifest: {},
    pendingHandlers: [],
    fingerprint: 'f',
    ...extra,
  };
}

const RTMP = '/etc/nginx/orbis/rtmp.conf';
const KICK = '/etc/stunnel/kick.conf';
const rtmpEntry = { path: RTMP, role: 'nginx-rtmp', notify: ['restart nginx'], validate: 'nginx -t', keep: true };

/** Three runs: 1 provisions, 2 changes rtmp.conf, 3 adds kick.conf. */
function threeRuns(): HostHistory {
  return history(
    [
      run(1, 'applied', { files: [rtmpEntry] }),
      run(2, 'applied', { files: [rtmpEntry], manifestBefore: { [RTMP]: { sha256: 'r1', role: 'nginx-rtmp' } } }),
      run(3, 'applied', { files: [{ path: KICK, role: 'stunnel', notify: ['restart stunnel kick'], keep: true }], manifestBefore: { [RTMP]: { sha256: 'r2', role: 'nginx-rtmp' } } }),
    ],
    [backup(1, { [RTMP]: { kind: 'absent' } }), backup(2, { [RTMP]: file('r1', '0600') }), backup(3, { [KICK]: { kind: 'absent' } })],
    { [RTMP]: file('r2', '0600'), [KICK]: file('k3') },
  );
}

describe('rollback plan', () => {
  it('by default goes back one generation: undoes the newest run, removing what it created', () => {
    const plan = planRollback(threeRuns());
    expect(plan?.target.id).toBe(id(2));
    expect(plan?.undone.map((r) => r.id)).toEqual([id(3)]);
    expect(plan?.files.map((f) => [f.path, f.action, f.from])).toEqual([[KICK, 'remove', id(3)]]);
    expect(plan?.handlers.map((h) => h.name)).toEqual(['restart stunnel kick']);
    expect(plan?.manifest).toEqual({ [RTMP]: { sha256: 'r2', role: 'nginx-rtmp' } });
  });

  it('--to an older run undoes every run after it; a path comes back as before the oldest undone run that touched it', () => {
    const plan = planRollback(threeRuns(), { to: id(1) });
    expect(plan?.undone.map((r) => r.id)).toEqual([id(3), id(2)]);
    expect(plan?.files.map((f) => [f.path, f.action, f.from])).toEqual([
      [RTMP, 'write', id(2)],
      [KICK, 'remove', id(3)],
    ]);
    expect(plan?.files[0]).toMatchObject({ validate: 'nginx -t', notify: ['restart nginx'], was: file('r1', '0600') });
    expect(plan?.manifest).toEqual({ [RTMP]: { sha256: 'r1', role: 'nginx-rtmp' } });
    expect(plan?.handlers.map((h) => h.name)).toEqual(['restart nginx', 'restart stunnel kick']);
    expect(rollbackChanges(plan!).map((c) => `${c.id.role} / ${c.id.type} ${c.id.name}: ${c.summary}`)).toEqual([
      `nginx-rtmp / file ${RTMP}: restore as it was before run ${id(2)} (sha256 r1, 0600 0:0)`,
      `stunnel / file ${KICK}: remove (it did not exist before run ${id(3)})`,
    ]);
  });

  it('says, per file, that going back overwrites a hand edit made since orbis wrote it, and afterwards that it did', () => {
    // orbis wrote r2 (manifest) and k3; rtmp.conf now holds something else: a hand edit.
    const edited = { ...threeRuns(), manifest: { [RTMP]: { sha256: 'r2', role: 'nginx-rtmp' }, [KICK]: { sha256: 'k3', role: 'stunnel' } } };
    edited.filesNow = new Map([[RTMP, file('by-hand', '0600')], [KICK, file('k3')]]);
    const plan = planRollback(edited, { to: id(1) });
    expect(plan?.files.map((f) => [f.path, f.editedByHand === true])).toEqual([[RTMP, true], [KICK, false]]);
    const said = (tense?: 'done'): string[] => rollbackChanges(plan!, tense).map((c) => c.summary);
    expect(said()[0]).toBe(`restore as it was before run ${id(2)} (sha256 r1, 0600 0:0); edited by hand since orbis wrote it: the rollback will overwrite the hand edit`);
    expect(said('done')[0]).toMatch(/edited by hand since orbis wrote it: the rollback overwrote the hand edit$/);
    expect(said()[1]).not.toMatch(/by hand/);
  });

  it('a file as orbis wrote it, or one the rollback leaves alone, is not called edited by hand', () => {
    const manifest = { [RTMP]: { sha256: 'r2', role: 'nginx-rtmp' }, [KICK]: { sha256: 'k3', role: 'stunnel' } };
    expect(planRollback({ ...threeRuns(), manifest }, { to: id(1) })?.files.some((f) => f.editedByHand)).toBe(false);
    // Edited back by hand to what the target had: nothing to put back, nothing overwritten.
    const back = { ...threeRuns(), manifest, filesNow: new Map([[RTMP, file('r1', '0600')], [KICK, file('k3')]]) };
    expect(planRollback(back, { to: id(1) })?.files.find((f) => f.path === RTMP)).toMatchObject({ action: 'keep' });
    expect(planRollback(back, { to: id(1) })?.files.find((f) => f.path === RTMP)?.editedByHand).toBeUndefined();
  });

  it('accepts a unique start of a run id, and says which runs an ambiguous one matches', () => {
    expect(planRollback(threeRuns(), { to: '20260101' })?.target.id).toBe(id(1));
    expect(() => planRollback(threeRuns(), { to: '2026010' })).toThrow(/3 runs start with "2026010"/);
    expect(() => planRollback(threeRuns(), { to: 'nope' })).toThrow(/no run "nope" is recorded on this host/);
  });

  it('--to the run the host is on: nothing to undo', () => {
    expect(planRollback(threeRuns(), { to: id(3) })).toBeNull();
  });

  it('a file already as it was is kept, and notifies nothing', () => {
    const h = threeRuns();
    h.filesNow.set(KICK, { kind: 'absent' });
    const plan = planRollback(h);
    expect(plan?.files.map((f) => f.action)).toEqual(['keep']);
    expect(plan?.handlers).toEqual([]);
    expect(plan?.empty).toBe(true);
    expect(rollbackChanges(plan!)).toEqual([]);
  });

  it('no previous generation: a clear error with a hint', () => {
    const only = history([run(1, 'applied', { files: [rtmpEntry] })], [backup(1, { [RTMP]: { kind: 'absent' } })]);
    const error = (() => {
      try {
        planRollback(only);
      } catch (e) {
        return e as RollbackError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RollbackError);
    expect(error?.message).toMatch(/^no previous generation: no run finished on this host before run 20260101T000000-000001/);
    expect(error?.hint).toMatch(/nothing was changed/);
    expect(() => planRollback(history([], []))).toThrow(/no orbis run is recorded on this host/);
  });

  it('skips runs that changed nothing when choosing the previous generation', () => {
    const h = threeRuns();
    h.records.push(run(4, 'applied', { handlers: ['restart nginx'] })); // only ran a pending handler
    expect(planRollback(h)?.target.id).toBe(id(2));
  });

  it('a failed run is undone too, and is no generation to go back to', () => {
    const h = threeRuns();
    h.records[2] = { ...(h.records[2] as RunRecord), status: 'failed' };
    expect(planRollback(h)?.target.id).toBe(id(2));
    expect(() => planRollback(h, { to: id(3) })).toThrow(/failed: only a run that finished is a generation to go back to/);
  });

  it('rolled-back runs are skipped: the next rollback goes further back', () => {
    const h = threeRuns();
    h.records[2] = { ...(h.records[2] as RunRecord), status: 'rolled-back', rolledBackBy: 'rb' };
    h.backups.delete(id(3));
    h.filesNow.set(RTMP, file('r2', '0600'));
    const plan = planRollback(h);
    expect(plan?.target.id).toBe(id(1));
    expect(plan?.undone.map((r) => r.id)).toEqual([id(2)]);
    expect(() => planRollback(h, { to: id(3) })).toThrow(/was itself rolled back by rb/);
  });

  it('--rollback-on-fail undoes the failed run (verify failed after it applied) back to the generation before it', () => {
    const plan = planRollback(threeRuns(), { undo: id(3) });
    expect(plan?.target.id).toBe(id(2));
    expect(plan?.undone.map((r) => r.id)).toEqual([id(3)]);
    // Its script never ran (no record): nothing to undo.
    expect(planRollback(threeRuns(), { undo: 'unknown' })).toBeNull();
    // The first run failing: nothing to go back to.
    expect(() => planRollback(threeRuns(), { undo: id(1) })).toThrow(/no previous generation/);
  });

  it('refuses to go back past a run whose backups were pruned', () => {
    const h = threeRuns();
    h.backups.delete(id(2));
    expect(() => planRollback(h, { to: id(1) })).toThrow(/cannot go back to run 20260101T000000-000001 .*the backups of run 20260102T000000-000002 are gone \(orbis keeps those of the last 5 runs\)/);
    expect(planRollback(h)?.target.id).toBe(id(2));
  });

  it('a file whose role keeps no backup is left as it is, and said so', () => {
    const h = threeRuns();
    h.backups.get(id(3))?.files.set('/etc/big', { kind: 'dropped' });
    const plan = planRollback(h);
    expect(plan?.files.find((f) => f.path === '/etc/big')?.action).toBe('lost');
    expect(rollbackChanges(plan!).find((c) => c.id.name === '/etc/big')?.summary).toMatch(/backup: false/);
  });

  it('units get their enablement and state back; a unit stopped by the rollback is not restarted', () => {
    const h = threeRuns();
    h.backups.get(id(3))?.units.set('stunnel@kick.service', { enabled: '', active: 'inactive' });
    h.unitsNow.set('stunnel@kick.service', { enabled: 'enabled', active: 'active' });
    h.pendingHandlers = ['restart stunnel kick'];
    const plan = planRollback(h);
    expect(plan?.units.map((u) => [u.unit, u.before, u.after])).toEqual([['stunnel@kick.service', ['stop', 'disable'], []]]);
    expect(plan?.handlers).toEqual([]);
    expect(plan?.dropped).toEqual(['restart stunnel kick']);
  });

  it('runs the pending handlers it knows', () => {
    const h = threeRuns();
    h.filesNow.set(KICK, { kind: 'absent' });
    h.pendingHandlers = ['restart nginx', 'unknown handler'];
    expect(planRollback(h)?.handlers.map((x) => x.name)).toEqual(['restart nginx']);
  });
});

describe('unit commands', () => {
  it.each([
    ['enabled, running -> disabled, stopped', { enabled: 'enabled', active: 'active' }, { enabled: 'disabled', active: 'inactive' }, [], ['enable', 'start']],
    ['not installed -> enabled, running', { enabled: '', active: 'inactive' }, { enabled: 'enabled', active: 'active' }, ['stop', 'disable'], []],
    ['disabled, stopped -> enabled, failed', { enabled: 'disabled', active: 'inactive' }, { enabled: 'enabled', active: 'failed' }, ['disable'], []],
    ['masked -> enabled', { enabled: 'masked', active: 'inactive' }, { enabled: 'enabled', active: 'active' }, ['stop', 'mask'], []],
    ['enabled -> masked', { enabled: 'enabled', active: 'active' }, { enabled: 'masked', active: 'inactive' }, [], ['unmask', 'enable', 'start']],
    ['static, same state', { enabled: 'static', active: 'active' }, { enabled: 'static', active: 'active' }, [], []],
  ])('%s', (_name, was, now, before, after) => {
    expect(unitCommands(was, now)).toEqual({ before, after });
  });
});

describe('generations', () => {
  it('newest first; the current one, those that can be gone back to, and why not', () => {
    const h = threeRuns();
    h.records.push({ ...run(4, 'failed'), files: [rtmpEntry] });
    h.backups.set(id(4), { seq: 4, files: new Map([[RTMP, file('r2', '0600')]]), units: new Map() });
    h.backups.delete(id(1));
    expect(generations(h).map((g) => [g.id, g.status, g.current, g.restorable, g.why ?? '', g.files])).toEqual([
      [id(4), 'failed', true, false, 'the run failed', 1],
      [id(3), 'applied', false, true, '', 1],
      [id(2), 'applied', false, true, '', 1],
      [id(1), 'applied', false, true, '', 1],
    ]);
    h.backups.delete(id(2));
    expect(generations(h).find((g) => g.id === id(1))?.why).toMatch(/backups of run 20260102T000000-000002 are gone/);
  });
});
