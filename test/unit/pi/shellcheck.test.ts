// shellcheck (Debian's) on the bash a Pi runs: every file of src/pi, and the scripts as orbis sends
// them for a fresh provision of the whole stack (the apply script and the launcher), a no-op (the
// facts probe: a converged host gets nothing else), a rollback and a first contact (the key
// installer, the access guard). The other scripts as sent are checked beside their own tests
// (verify, status, history, import, guard).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { buildArmScript, guardedPaths, restoreCommands } from '../../../src/engine/access-guard.js';
import { applyCommand } from '../../../src/engine/apply.js';
import { buildApplyScript } from '../../../src/engine/apply-script.js';
import { renderContext } from '../../../src/roles/context.js';
import { makePlan, probeSpecFor } from '../../../src/engine/plan.js';
import type { RollbackPlan } from '../../../src/engine/rollback-plan.js';
import { buildRollbackScript } from '../../../src/engine/rollback-script.js';
import type { RunRecord } from '../../../src/engine/run-record.js';
import { INSTALL_KEY_SCRIPT } from '../../../src/bootstrap/authorized-keys.js';
import { buildProbeScript } from '../../../src/facts/probe.js';
import { piFiles } from '../../../src/pi/scripts.js';
import { TemplateRenderer } from '../../../src/render/templates.js';
import { buildDesired } from '../../../src/roles/desired.js';
import { loadRoles, roleSourceAt } from '../../../src/roles/load.js';
import { splitRoleVariables } from '../../../src/roles/variables.js';
import { packageRoot } from '../../../src/util/paths.js';
import { hostFacts } from '../resources/fixtures.js';
import { shellcheckPiFile, shellcheckSent } from './shellcheck.js';

const ROOT = packageRoot();
const STACK = ['ffmpeg', 'nginx-rtmp', 'stunnel', 'btfs', 'orbis-service'];

/** Roles (the whole stack by default) as a fresh arm64 Pi would get them (both platforms). */
function freshStack(names = STACK) {
  const roles = loadRoles(names, [roleSourceAt(ROOT)], '0.1.0');
  const loaded = loadSettings({
    env: { ORBIS_DLIVE_CLE_FLUX: 'dlive_SHELLCHECK_key1', ORBIS_KICK_CLE_FLUX: 'sk_us-west-2_SHELLCHECK_key2' },
    vars: [
      'PLATEFORMES=toutes',
      'ENCODEUR_VIDEO=libx264',
      `LISTE_LECTURE=${join(ROOT, 'test', 'fixtures', 'stack', 'liste.txt')}`,
      'BTFS_SHA256_ARM64=862bd48e31d4ce4f6f1def3ee96ac805e4b35608e02c44c3621489ea89c985c4',
    ],
  });
  const facts = hostFacts({ arch: 'arm64' });
  const { roleValues } = splitRoleVariables(roles, [], {});
  const desired = buildDesired(roles, renderContext(loaded, { values: roleValues }, facts, '0.1.0'), new TemplateRenderer());
  return { desired, facts };
}

describe('the bash a Pi runs, under shellcheck', () => {
  it('every file of src/pi is clean', () => {
    const files = piFiles();
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(shellcheckPiFile(file), file).toBe('');
  });

  it('a fresh provision of the whole stack, as sent: the launcher and the apply script', () => {
    const { desired, facts } = freshStack();
    const plan = makePlan(desired, facts);
    // What a fresh provision does: packages, files, a download, units, handlers.
    const ops = new Set(plan.changes.flatMap((c) => c.actions.map((a) => a.op)));
    for (const op of ['apt-install', 'write-file', 'download', 'systemctl', 'mkdir']) expect(ops, op).toContain(op);
    expect(plan.handlers.length).toBeGreaterThan(0);
    const script = buildApplyScript(plan, { runId: '20261207T060000-abcdef', holder: 'orbis provision', lockWaitSec: 60, record: '{"id":"x"}' });
    expect(shellcheckSent(script)).toBe('');
    expect(shellcheckSent(applyCommand('20261207T060000-abcdef', 1800))).toBe('');
  });

  it('a no-op, as sent: the facts probe of the whole stack', () => {
    const { desired } = freshStack();
    expect(shellcheckSent(buildProbeScript(probeSpecFor(desired.resources, desired.handlers)))).toBe('');
  });

  it('a rollback, as sent: files, a link, units and handlers put back', () => {
    const record = (id: string) => ({ id }) as RunRecord;
    const plan = {
      target: record('20261207T050000-aaaaaa'),
      undone: [record('20261207T060000-bbbbbb')],
      files: [
        { path: '/etc/nginx/nginx.conf', role: 'nginx-rtmp', from: '20261207T060000-bbbbbb', was: { kind: 'absent' }, now: { kind: 'absent' }, action: 'write', notify: ['reload nginx'], validate: 'nginx -t' },
        { path: "/etc/orbis/o'dd.conf", role: 'orbis-service', from: '20261207T060000-bbbbbb', was: { kind: 'absent' }, now: { kind: 'absent' }, action: 'write', notify: [], validate: 'bash -n %s' },
        { path: '/etc/systemd/system/orbis.service', role: 'orbis-service', from: '20261207T060000-bbbbbb', was: { kind: 'absent' }, now: { kind: 'absent' }, action: 'remove', notify: [] },
        { path: '/etc/nginx/sites-enabled/orbis', role: 'nginx-rtmp', from: '20261207T060000-bbbbbb', was: { kind: 'absent' }, now: { kind: 'absent' }, action: 'link', notify: [] },
      ],
      units: [{ unit: 'orbis.service', from: '20261207T060000-bbbbbb', was: { enabled: 'disabled', active: 'inactive' }, now: undefined, before: ['stop', 'disable'], after: [] }],
      handlers: [
        { name: 'reload nginx', role: 'nginx-rtmp', unit: 'nginx.service', action: 'reload' },
        { name: 'mark', role: 'orbis-service', command: "touch '/tmp/a b'" },
      ],
      dropped: ['restart orbis'],
      manifest: { '/etc/nginx/nginx.conf': { sha256: 'ab'.repeat(32), role: 'nginx-rtmp' } },
      empty: false,
    } as unknown as RollbackPlan;
    const script = buildRollbackScript(plan, { runId: '20261207T070000-cccccc', holder: 'orbis rollback', lockWaitSec: 60, record: '{"id":"y"}', fingerprint: 'f'.repeat(64) });
    expect(shellcheckSent(script)).toBe('');
    expect(shellcheckSent(applyCommand('20261207T070000-cccccc', 600, 'rollback'))).toBe('');
  });

  it('a first contact, as sent: the key installer and the access guard armed for the ssh role', () => {
    expect(shellcheckSent(INSTALL_KEY_SCRIPT)).toBe('');
    const { desired, facts } = freshStack(['ssh']);
    const plan = makePlan(desired, facts);
    expect(plan.changes.flatMap((c) => c.actions.map((a) => ('path' in a ? a.path : '')))).toContain('/etc/ssh/sshd_config.d/01-orbis-hardening.conf');
    expect(shellcheckSent(buildArmScript({ runId: '20261207T080000-dddddd', deadlineSec: 120, paths: guardedPaths(plan), afterRestore: restoreCommands(plan.handlers), what: 'the changes of role ssh' }))).toBe('');
  });
});
